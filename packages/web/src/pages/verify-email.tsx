/**
 * `/verify-email?token=…` (the link in the mail) confirms the email and signs in; `/verify-email`
 * alone (after sign-up, or from the banner) says where the link went and offers a new one.
 */
import { useLocation, useNavigate } from "@solidjs/router";
import { type Component, createSignal, onMount, Show } from "solid-js";
import { ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { homeOf, setFlash, setUser, user } from "../lib/session";
import { EmailForm, useLinkToken } from "./account-forms";

const VerifyEmail: Component = () => {
  const location = useLocation<{ email?: string; sent?: boolean }>();
  const navigate = useNavigate();
  const token = useLinkToken("/verify-email");
  const [verifying, setVerifying] = createSignal(!!token);
  const [error, setError] = createSignal<unknown>();
  onMount(async () => {
    if (!token) return;
    try {
      const { user: me } = await api.verifyEmail(token);
      setUser(me);
      setFlash(t("account.verified", { name: me.name }));
      navigate(homeOf(me.role), { replace: true });
    } catch (err) {
      setError(err);
      setVerifying(false);
    }
  });
  return (
    <section class="narrow">
      <PageTitle>{t("account.verifyTitle")}</PageTitle>
      <Show when={verifying()}>
        <Loading label={t("account.verifying")} />
      </Show>
      <ErrorAlert error={error()} />
      <Show when={location.state?.sent}>
        <Notice tone="success">{t("account.verifySent")}</Notice>
      </Show>
      <Show when={!verifying()}>
        <p>{t("account.resendHelp")}</p>
        <EmailForm
          id="resend"
          initial={location.state?.email ?? user()?.email ?? ""}
          submitLabel={t("account.resend")}
          doneMessage={t("account.resent")}
          send={(email) => api.resendVerification(email)}
        />
      </Show>
    </section>
  );
};

export default VerifyEmail;
