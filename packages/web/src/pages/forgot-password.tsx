import { A } from "@solidjs/router";
import type { Component } from "solid-js";
import { PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { EmailForm } from "./account-forms";

/** Asks for a reset link; the answer is the same whether or not the email has an account. */
const ForgotPassword: Component = () => (
  <section class="narrow">
    <PageTitle>{t("account.forgotTitle")}</PageTitle>
    <p>{t("account.forgotHelp")}</p>
    <EmailForm
      id="forgot"
      submitLabel={t("account.forgotSend")}
      doneMessage={t("account.forgotSent")}
      send={(email) => api.forgotPassword(email)}
    />
    <p>
      <A href="/login">{t("auth.signIn")}</A>
    </p>
  </section>
);

export default ForgotPassword;
