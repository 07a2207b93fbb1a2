/**
 * The consent step of the room page (termo de consentimento): the clinic's text in the viewer's
 * language, the doctor named with CRM and state, and an explicit agreement (a checkbox, then a
 * button). The room link is the credential, so no session is needed.
 */
import { type Component, createResource, createSignal, Show } from "solid-js";
import { api } from "../../lib/api";
import type { ConsentRequired } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { ErrorAlert, Loading } from "../ui";
import { doctorIdentity } from "./doctor-identity";

export const ConsentStep: Component<{ details: ConsentRequired; token: string; onDone: () => void }> = (props) => {
  const [text] = createResource(() => api.consentText());
  const [checked, setChecked] = createSignal(false);
  const [tried, setTried] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setTried(true);
    if (!checked() || !text()) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.giveConsent(props.details.consultationId, text()!.version, props.token);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="consent" aria-labelledby="consent-heading">
      <h2 id="consent-heading">{t("tele.consentTitle")}</h2>
      <p>{t("tele.consentIntro", { doctor: doctorIdentity(props.details.doctor) })}</p>
      <Show when={!text.loading} fallback={<Loading />}>
        <ErrorAlert error={text.error} />
        <Show when={text()}>
          {(body) => (
            <form onSubmit={submit} novalidate>
              {/* Focusable so the keyboard can scroll a long text. */}
              <section class="consent-text" tabindex="0" aria-label={t("tele.consentTitle")}>
                {body().text[locale() === "en" ? "en" : "pt-BR"]}
              </section>
              <p class="muted">{t("tele.consentVersion", { version: body().version })}</p>
              <div class="check">
                <input
                  id="consent-check"
                  type="checkbox"
                  checked={checked()}
                  onChange={(e) => setChecked(e.currentTarget.checked)}
                  aria-invalid={tried() && !checked()}
                  aria-describedby={tried() && !checked() ? "consent-check-error" : undefined}
                />
                <label for="consent-check">{t("tele.consentCheck")}</label>
              </div>
              <Show when={tried() && !checked()}>
                <p id="consent-check-error" class="field-error">
                  {t("tele.consentMustCheck")}
                </p>
              </Show>
              <ErrorAlert error={error()} />
              <button type="submit" disabled={busy()}>
                {busy() ? t("common.working") : t("tele.consentAgree")}
              </button>
            </form>
          )}
        </Show>
      </Show>
    </section>
  );
};
