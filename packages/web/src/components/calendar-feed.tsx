/**
 * "Subscribe to my calendar" (issue 14), on the account page of doctors and patients: create the
 * private feed URL (shown once, with Copy and a webcal:// link), see since when it is active,
 * replace it (the old one stops at once) or revoke it (after a confirmation).
 */
import { type Component, createResource, createSignal, Show } from "solid-js";
import { api, webcalUrl } from "../lib/api";
import { locale, t } from "../lib/i18n";
import { user } from "../lib/session";
import { formatDateTime, viewerZone } from "../lib/time";
import { Dialog, ErrorAlert, Notice } from "./ui";

export const CalendarFeedSection: Component = () => {
  const [status, { refetch }] = createResource(() => api.calendarFeed());
  const [url, setUrl] = createSignal<string>();
  const [includeReason, setIncludeReason] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [done, setDone] = createSignal<string>();
  const [confirmOpen, setConfirmOpen] = createSignal(false);
  // Reading an errored resource throws: the error is shown by ErrorAlert instead.
  const current = () => (status.error ? undefined : status());
  const isDoctor = () => user()?.role === "doctor";
  let urlInput: HTMLInputElement | undefined;

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await action();
      await refetch();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    run(async () => {
      setUrl(await api.createCalendarFeed(isDoctor() ? { includeReason: includeReason() } : {}));
    });

  const revoke = async () => {
    if (
      await run(async () => {
        await api.revokeCalendarFeed();
        setUrl(undefined);
      })
    ) {
      setConfirmOpen(false);
      setDone(t("calendar.revoked"));
    }
  };

  const copy = async () => {
    const value = url();
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission (an embedded or insecure page): select the text for Ctrl+C instead.
      urlInput?.select();
      return;
    }
    setDone(t("calendar.copied"));
  };

  return (
    <section aria-labelledby="calendar-feed-title" class="calendar-feed">
      <h2 id="calendar-feed-title">{t("calendar.title")}</h2>
      <p class="muted">{t("calendar.help")}</p>
      <ErrorAlert error={error() ?? status.error} />
      <Show when={done()}>
        <Notice tone="success">{done()!}</Notice>
      </Show>
      <Show when={current()}>
        {(s) => (
          <p role="status">
            {s().active && s().createdAt
              ? t("calendar.activeSince", { when: formatDateTime(s().createdAt!, locale(), viewerZone()) })
              : t("calendar.none")}
            <Show when={s().active && s().includeReason}> {t("calendar.reasonOn")}</Show>
          </p>
        )}
      </Show>

      <Show when={url()}>
        <div class="calendar-feed-url">
          <label for="calendar-feed-url">{t("calendar.urlLabel")}</label>
          <input
            id="calendar-feed-url"
            ref={urlInput}
            type="text"
            readonly
            value={url()}
            aria-describedby="calendar-feed-once"
            onFocus={(e) => e.currentTarget.select()}
          />
          <p id="calendar-feed-once" class="muted">
            {t("calendar.urlOnce")}
          </p>
          <button type="button" onClick={copy}>
            {t("calendar.copy")}
          </button>
          <p class="muted">
            {t("calendar.webcal")} <a href={webcalUrl(url()!)}>{t("calendar.webcalLink")}</a>
          </p>
        </div>
      </Show>

      <Show when={isDoctor()}>
        <label class="inline">
          <input
            type="checkbox"
            checked={includeReason()}
            onChange={(e) => setIncludeReason(e.currentTarget.checked)}
          />
          <span>{t("calendar.includeReason")}</span>
        </label>
      </Show>
      <div class="actions">
        <button type="button" disabled={busy() || status.loading} onClick={create}>
          {busy() ? t("common.working") : current()?.active ? t("calendar.replace") : t("calendar.create")}
        </button>
        <Show when={current()?.active}>
          <button type="button" class="secondary" disabled={busy()} onClick={() => setConfirmOpen(true)}>
            {t("calendar.revoke")}
          </button>
        </Show>
      </div>
      <Show when={current()?.active}>
        <p class="muted">{t("calendar.replaceHelp")}</p>
      </Show>

      <Dialog open={confirmOpen()} title={t("calendar.revokeTitle")} onClose={() => setConfirmOpen(false)}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void revoke();
          }}
        >
          <p>{t("calendar.revokeConfirm")}</p>
          <ErrorAlert error={error()} />
          <div class="actions">
            <button type="submit" class="danger" disabled={busy()}>
              {busy() ? t("common.working") : t("calendar.revokeDo")}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmOpen(false)}>
              {t("common.close")}
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  );
};
