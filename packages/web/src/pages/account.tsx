/**
 * My account: my details (name, phone, the language of messages and screens: issue 13), changing
 * the password (the other sessions end), signing out everywhere, for an unconfirmed email a new
 * confirmation link, and for doctors and patients the calendar feed (components/calendar-feed.tsx).
 */
import { changePasswordInputSchema, type Language, updateMeInputSchema } from "@healthflow/core/schemas";
import { useNavigate } from "@solidjs/router";
import { type Component, createSignal, For, Show } from "solid-js";
import { CalendarFeedSection } from "../components/calendar-feed";
import { ErrorAlert, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { createForm } from "../lib/forms";
import { LOCALES, setLocale, t } from "../lib/i18n";
import { setFlash, setUser, user } from "../lib/session";
import { EmailForm } from "./account-forms";

const Account: Component = () => {
  const navigate = useNavigate();
  const [language, setLanguage] = createSignal<Language>(user()?.language ?? "pt-BR");
  const [name, setName] = createSignal(user()?.name ?? "");
  const [phone, setPhone] = createSignal(user()?.phone ?? "");
  const [saved, setSaved] = createSignal<string>();
  const lang = createForm();
  /** My details (issue 13): name, phone (empty removes it) and language, which switches the screens too. */
  const saveProfile = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(undefined);
    const before = user();
    const input = { name: name(), phone: phone().trim() ? phone() : null, language: language() };
    await lang.run(
      updateMeInputSchema,
      input,
      async (data) => {
        const updated = await api.updateProfile(data);
        setUser(updated);
        setLocale(updated.language);
        // Show what was stored: the phone comes back normalised ("+5511987654321").
        setName(updated.name);
        setPhone(updated.phone ?? "");
        const onlyLanguage = before && before.name === updated.name && (before.phone ?? "") === (updated.phone ?? "");
        setSaved(t(onlyLanguage ? "account.languageSaved" : "account.profileSaved"));
      },
      { serverFields: true },
    );
  };

  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const pw = createForm();
  const changePassword = (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(undefined);
    return pw.run(changePasswordInputSchema, { currentPassword: current(), newPassword: next() }, async (data) => {
      await api.changePassword(data.currentPassword, data.newPassword);
      setCurrent("");
      setNext("");
      setSaved(t("account.passwordChanged"));
    });
  };

  const [logoutError, setLogoutError] = createSignal<unknown>();
  const logoutAll = async () => {
    try {
      await api.logoutAll();
      setUser(null);
      setFlash(t("account.loggedOutAll"));
      navigate("/login", { replace: true });
    } catch (err) {
      setLogoutError(err);
    }
  };

  return (
    <section class="narrow">
      <PageTitle>{t("account.title")}</PageTitle>
      <Show when={saved()}>
        <Notice tone="success">{saved()!}</Notice>
      </Show>

      <Show when={user()?.emailVerified === false}>
        <Notice tone="warning">{t("account.unverifiedBanner")}</Notice>
        <EmailForm
          id="account-resend"
          initial={user()?.email}
          submitLabel={t("account.unverifiedAction")}
          doneMessage={t("account.resent")}
          send={(email) => api.resendVerification(email)}
        />
      </Show>

      <h2>{t("account.profile")}</h2>
      <ErrorAlert error={lang.error()} />
      <form onSubmit={saveProfile} novalidate>
        <label for="account-name">{t("auth.name")}</label>
        <input
          id="account-name"
          type="text"
          autocomplete="name"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={!!lang.errors().name}
          aria-describedby={lang.errors().name ? "account-name-error" : undefined}
        />
        <Show when={lang.errors().name}>
          <p id="account-name-error" class="field-error">
            {t("validation.name")}
          </p>
        </Show>
        <label for="account-phone">{t("account.phone")}</label>
        <input
          id="account-phone"
          type="tel"
          autocomplete="tel"
          value={phone()}
          onInput={(e) => setPhone(e.currentTarget.value)}
          aria-invalid={!!lang.errors().phone}
          aria-describedby={lang.errors().phone ? "account-phone-error" : undefined}
        />
        <Show when={lang.errors().phone}>
          <p id="account-phone-error" class="field-error">
            {t("validation.phone")}
          </p>
        </Show>
        <label for="account-language">{t("account.language")}</label>
        <select
          id="account-language"
          value={language()}
          onChange={(e) => setLanguage(e.currentTarget.value as Language)}
        >
          <For each={LOCALES}>{(l) => <option value={l}>{l === "en" ? "English" : "Português (Brasil)"}</option>}</For>
        </select>
        <button type="submit" disabled={lang.busy()}>
          {lang.busy() ? t("common.working") : t("common.save")}
        </button>
      </form>

      <h2>{t("account.changePassword")}</h2>
      <ErrorAlert error={pw.error()} />
      <form onSubmit={changePassword} novalidate>
        <label for="account-current">{t("account.currentPassword")}</label>
        <input
          id="account-current"
          type="password"
          autocomplete="current-password"
          value={current()}
          onInput={(e) => setCurrent(e.currentTarget.value)}
          aria-invalid={!!pw.errors().currentPassword}
          aria-describedby={pw.errors().currentPassword ? "account-current-error" : undefined}
        />
        <Show when={pw.errors().currentPassword}>
          <p id="account-current-error" class="field-error">
            {t("validation.required")}
          </p>
        </Show>
        <label for="account-new">{t("account.newPassword")}</label>
        <input
          id="account-new"
          type="password"
          autocomplete="new-password"
          value={next()}
          onInput={(e) => setNext(e.currentTarget.value)}
          aria-invalid={!!pw.errors().newPassword}
          aria-describedby={pw.errors().newPassword ? "account-new-error" : undefined}
        />
        <Show when={pw.errors().newPassword}>
          <p id="account-new-error" class="field-error">
            {t("validation.password")}
          </p>
        </Show>
        <button type="submit" disabled={pw.busy()}>
          {pw.busy() ? t("common.working") : t("account.changePassword")}
        </button>
      </form>

      {/* Calendar subscription feeds (issue 14): doctors and patients; an admin has no agenda. */}
      <Show when={user()?.role === "doctor" || user()?.role === "patient"}>
        <CalendarFeedSection />
      </Show>

      <h2>{t("account.logoutAll")}</h2>
      <p class="muted">{t("account.logoutAllHelp")}</p>
      <ErrorAlert error={logoutError()} />
      <button type="button" class="secondary" onClick={logoutAll}>
        {t("account.logoutAll")}
      </button>
    </section>
  );
};

export default Account;
