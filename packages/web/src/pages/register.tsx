import { registerInputSchema } from "@healthflow/core/schemas";
import { A, useNavigate } from "@solidjs/router";
import { type Component, createSignal, For, Show } from "solid-js";
import { ErrorAlert, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { createForm } from "../lib/forms";
import { locale, type t as T, t } from "../lib/i18n";
import { setFlash, setUser } from "../lib/session";

type Key = Parameters<typeof T>[0];
const fields: { name: "name" | "email" | "password"; type: string; auto: string; label: Key; invalid: Key }[] = [
  { name: "name", type: "text", auto: "name", label: "auth.name", invalid: "validation.required" },
  { name: "email", type: "email", auto: "email", label: "auth.email", invalid: "validation.email" },
  {
    name: "password",
    type: "password",
    auto: "new-password",
    label: "auth.newPassword",
    invalid: "validation.password",
  },
];

const Register: Component = () => {
  const navigate = useNavigate();
  const [values, setValues] = createSignal({ name: "", email: "", password: "" });
  const { errors, error, busy, run } = createForm();

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    return run(
      registerInputSchema,
      values(),
      async (data) => {
        const result = await api.register({ ...data, language: locale() });
        if ("status" in result) {
          navigate("/verify-email", { state: { email: data.email, sent: true } });
          return;
        }
        const { user } = result;
        setUser(user);
        setFlash(t("auth.welcome", { name: user.name }));
        navigate("/consultations", { replace: true });
      },
      { serverFields: true },
    );
  };

  return (
    <section class="narrow">
      <PageTitle>{t("auth.registerTitle")}</PageTitle>
      <ErrorAlert error={error()} />
      <form onSubmit={submit} novalidate>
        <For each={fields}>
          {(f) => (
            <>
              <label for={`reg-${f.name}`}>{t(f.label)}</label>
              <input
                id={`reg-${f.name}`}
                name={f.name}
                type={f.type}
                autocomplete={f.auto}
                value={values()[f.name]}
                onInput={(e) => setValues({ ...values(), [f.name]: e.currentTarget.value })}
                aria-invalid={!!errors()[f.name]}
                aria-describedby={errors()[f.name] ? `reg-${f.name}-error` : undefined}
              />
              <Show when={errors()[f.name]}>
                <p id={`reg-${f.name}-error`} class="field-error">
                  {t(f.invalid)}
                </p>
              </Show>
            </>
          )}
        </For>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : t("auth.createAccount")}
        </button>
      </form>
      <p>
        {t("auth.haveAccount")} <A href="/login">{t("auth.signIn")}</A>
      </p>
    </section>
  );
};

export default Register;
