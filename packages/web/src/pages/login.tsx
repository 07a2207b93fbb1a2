import { loginInputSchema } from "@healthflow/core/schemas";
import { A, useNavigate, useSearchParams } from "@solidjs/router";
import { type Component, createSignal, Show } from "solid-js";
import { ErrorAlert, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { createForm } from "../lib/forms";
import { t } from "../lib/i18n";
import { flash, homeOf, safeNext, setFlash, setSessionExpired, setUser } from "../lib/session";

const Login: Component = () => {
  const [params] = useSearchParams<{ next?: string; reason?: string }>();
  const navigate = useNavigate();
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const { errors, error, busy, run } = createForm();
  const message = flash();
  setFlash(undefined);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    return run(loginInputSchema, { email: email(), password: password() }, async (data) => {
      const { user } = await api.login(data);
      setSessionExpired(false);
      setUser(user);
      navigate(safeNext(params.next) ?? homeOf(user.role), { replace: true });
    });
  };

  return (
    <section class="narrow">
      <PageTitle>{t("auth.signInTitle")}</PageTitle>
      <Show when={params.reason === "expired"}>
        <Notice tone="warning">{t("auth.expired")}</Notice>
      </Show>
      <Show when={message}>
        <Notice tone="success">{message}</Notice>
      </Show>
      <ErrorAlert error={error()} />
      <form onSubmit={submit} novalidate>
        <label for="login-email">{t("auth.email")}</label>
        <input
          id="login-email"
          type="email"
          autocomplete="username"
          value={email()}
          onInput={(e) => setEmail(e.currentTarget.value)}
          aria-invalid={!!errors().email}
          aria-describedby={errors().email ? "login-email-error" : undefined}
        />
        <Show when={errors().email}>
          <p id="login-email-error" class="field-error">
            {t("validation.email")}
          </p>
        </Show>
        <label for="login-password">{t("auth.password")}</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-invalid={!!errors().password}
          aria-describedby={errors().password ? "login-password-error" : undefined}
        />
        <Show when={errors().password}>
          <p id="login-password-error" class="field-error">
            {t("validation.required")}
          </p>
        </Show>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : t("auth.signIn")}
        </button>
      </form>
      <p>
        <A href="/forgot-password">{t("account.forgotLink")}</A>
      </p>
      <p>
        {t("auth.noAccount")} <A href="/register">{t("auth.createAccount")}</A>
      </p>
    </section>
  );
};

export default Login;
