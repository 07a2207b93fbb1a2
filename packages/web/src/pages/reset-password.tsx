import { A, useNavigate } from "@solidjs/router";
import { type Component, Show } from "solid-js";
import { Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { setFlash, setUser } from "../lib/session";
import { NewPasswordForm, useLinkToken } from "./account-forms";

/** `/reset-password?token=…`: a new password; every session of the account ends. */
const ResetPassword: Component = () => {
  const navigate = useNavigate();
  const token = useLinkToken("/reset-password");
  return (
    <section class="narrow">
      <PageTitle>{t("account.resetTitle")}</PageTitle>
      <Show
        when={token}
        fallback={
          <Notice tone="warning">
            {t("account.missingToken")} <A href="/forgot-password">{t("account.forgotLink")}</A>
          </Notice>
        }
      >
        {(tok) => (
          <NewPasswordForm
            id="reset"
            submitLabel={t("common.save")}
            save={async (password) => {
              await api.resetPassword(tok(), password);
              setUser(null);
              setFlash(t("account.resetDone"));
              navigate("/login", { replace: true });
            }}
          />
        )}
      </Show>
    </section>
  );
};

export default ResetPassword;
