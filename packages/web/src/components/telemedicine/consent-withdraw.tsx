/**
 * On the patient's consultations: withdraw the telemedicine consent for future consultations
 * (`DELETE /api/consultations/:id/consent`). Shown only while a consultation relies on a consent in
 * force; the next room visit asks again.
 */
import { type Component, createSignal, Show } from "solid-js";
import { api } from "../../lib/api";
import type { Consultation } from "../../lib/contract";
import { t } from "../../lib/i18n";
import { ErrorAlert, Notice } from "../ui";

export const ConsentWithdraw: Component<{ consultations: Consultation[] }> = (props) => {
  const [done, setDone] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const inForce = () => props.consultations.find((c) => c.consent && !c.consent.withdrawnAt);

  const withdraw = async () => {
    const c = inForce();
    if (!c) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.withdrawConsent(c.id);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Show when={done()}>
        <Notice tone="success">{t("tele.withdrawn")}</Notice>
      </Show>
      <Show when={!done() && inForce()}>
        <ErrorAlert error={error()} />
        <p>
          <button type="button" class="secondary" disabled={busy()} onClick={() => void withdraw()}>
            {t("tele.withdraw")}
          </button>
        </p>
      </Show>
    </>
  );
};
