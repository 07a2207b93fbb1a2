/**
 * Pieces shared by the account screens: an email form (forgot password, resend verification), a
 * new-password form (reset, invitation), and the token of a link page, read once and then removed
 * from the address bar so it does not linger in the history or leave in a Referer.
 */
import { emailOnlySchema, newPasswordSchema } from "@healthflow/core/schemas";
import { useNavigate, useSearchParams } from "@solidjs/router";
import { type Component, createSignal, onMount, Show } from "solid-js";
import { ErrorAlert, Notice } from "../components/ui";
import { createForm } from "../lib/forms";
import { t } from "../lib/i18n";

export function useLinkToken(path: string): string | undefined {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const raw = params.token;
  const token = typeof raw === "string" && raw.length >= 20 ? raw : undefined;
  onMount(() => {
    if (raw !== undefined) navigate(path, { replace: true, state: history.state });
  });
  return token;
}

export const EmailForm: Component<{
  id: string;
  initial?: string;
  submitLabel: string;
  doneMessage: string;
  send: (email: string) => Promise<void>;
}> = (props) => {
  const [email, setEmail] = createSignal(props.initial ?? "");
  const [done, setDone] = createSignal(false);
  const { errors, error, busy, run } = createForm();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setDone(false);
    return run(emailOnlySchema, { email: email() }, async (data) => {
      await props.send(data.email);
      setDone(true);
    });
  };
  return (
    <>
      <ErrorAlert error={error()} />
      <Show when={done()}>
        <Notice tone="success">{props.doneMessage}</Notice>
      </Show>
      <form onSubmit={submit} novalidate>
        <label for={`${props.id}-email`}>{t("auth.email")}</label>
        <input
          id={`${props.id}-email`}
          type="email"
          autocomplete="email"
          value={email()}
          onInput={(e) => setEmail(e.currentTarget.value)}
          aria-invalid={!!errors().email}
          aria-describedby={errors().email ? `${props.id}-email-error` : undefined}
        />
        <Show when={errors().email}>
          <p id={`${props.id}-email-error`} class="field-error">
            {t("validation.email")}
          </p>
        </Show>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : props.submitLabel}
        </button>
      </form>
    </>
  );
};

export const NewPasswordForm: Component<{
  id: string;
  submitLabel: string;
  save: (password: string) => Promise<void>;
}> = (props) => {
  const [password, setPassword] = createSignal("");
  const { errors, error, busy, run } = createForm();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    return run(newPasswordSchema, { password: password() }, (data) => props.save(data.password));
  };
  return (
    <>
      <ErrorAlert error={error()} />
      <form onSubmit={submit} novalidate>
        <label for={`${props.id}-password`}>{t("account.newPassword")}</label>
        <input
          id={`${props.id}-password`}
          type="password"
          autocomplete="new-password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-invalid={!!errors().password}
          aria-describedby={errors().password ? `${props.id}-password-error` : undefined}
        />
        <Show when={errors().password}>
          <p id={`${props.id}-password-error`} class="field-error">
            {t("validation.password")}
          </p>
        </Show>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : props.submitLabel}
        </button>
      </form>
    </>
  );
};
