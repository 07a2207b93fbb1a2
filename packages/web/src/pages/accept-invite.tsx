import { useNavigate } from "@solidjs/router";
import { type Component, Show } from "solid-js";
import { Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { homeOf, setUser } from "../lib/session";
import { NewPasswordForm, useLinkToken } from "./account-forms";

/** `/accept-invite?token=…`: an invited person chooses their password and is signed in. */
const AcceptInvite: Component = () => {
  const navigate = useNavigate();
  const token = useLinkToken("/accept-invite");
  return (
    <section class="narrow">
      <PageTitle>{t("account.inviteTitle")}</PageTitle>
      <Show when={token} fallback={<Notice tone="warning">{t("account.missingToken")}</Notice>}>
        {(tok) => (
          <>
            <p>{t("account.inviteHelp")}</p>
            <NewPasswordForm
              id="invite"
              submitLabel={t("account.inviteAccept")}
              save={async (password) => {
                const { user } = await api.acceptInvite(tok(), password);
                setUser(user);
                navigate(homeOf(user.role), { replace: true });
              }}
            />
          </>
        )}
      </Show>
    </section>
  );
};

export default AcceptInvite;
