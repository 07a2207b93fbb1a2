/**
 * The patient's history for the doctor (issue #13): their past consultations with the clinic, with
 * every doctor, newest first, a page at a time ("load more"). Notes show where the API gives them
 * (the consultation's own doctor, admins); elsewhere the page says whose they are. Opened from a
 * consultation in the agenda; "back" returns there.
 */
import { A, useParams, useSearchParams } from "@solidjs/router";
import { type Component, createSignal, For, onMount, Show } from "solid-js";
import { ErrorAlert, Loading, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import type { Consultation } from "../lib/contract";
import { locale, t } from "../lib/i18n";
import { safeNext } from "../lib/session";
import { formatDateTime, viewerZone, zoneLabel } from "../lib/time";

const PatientHistoryPage: Component = () => {
  const params = useParams<{ id: string }>();
  const [search] = useSearchParams<{ back?: string }>();
  const zone = viewerZone();
  const [name, setName] = createSignal<string>();
  const [items, setItems] = createSignal<Consultation[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(true);
  const [loaded, setLoaded] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const load = async (more = false) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.patientHistory(params.id, more ? (cursor() ?? undefined) : undefined);
      setName(page.patient.name);
      setItems(more ? [...items(), ...page.consultations] : page.consultations);
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  onMount(() => load());

  return (
    <section class="history">
      <PageTitle>{name() ? t("history.title", { name: name()! }) : t("history.titleLoading")}</PageTitle>
      <p>
        <A href={safeNext(search.back) ?? "/agenda"}>{t("history.back")}</A>
      </p>
      <p class="muted">{t("history.intro")}</p>
      <p class="zone">{t("common.timesIn", { zone: zoneLabel(zone) })}</p>
      <Show when={loaded() && items().length === 0}>
        <p class="muted">{t("history.empty")}</p>
      </Show>
      <ol class="history-list">
        <For each={items()}>
          {(c) => (
            <li>
              <article class="consultation" aria-labelledby={`history-${c.id}`}>
                <div class="consultation-head">
                  <h2 id={`history-${c.id}`} class="when">
                    <time datetime={c.startsAt}>{formatDateTime(c.startsAt, locale(), zone)}</time>
                  </h2>
                  <span class={`badge badge-${c.status}`}>{t(`status.${c.status}` as const)}</span>
                </div>
                <p>
                  <span class="muted">{t("history.doctor")}: </span>
                  {c.doctor.name} · {c.doctor.specialty}
                </p>
                <p class="mode">
                  <span class="muted">{t("mode.label")}: </span>
                  {t(c.mode === "in_person" ? "mode.in_person" : "mode.video")}
                </p>
                <p>
                  <span class="muted">{t("consultation.reason")}: </span>
                  {c.reason || t("consultation.noReason")}
                </p>
                <Show when={"notes" in c} fallback={<p class="muted">{t("history.notesHidden")}</p>}>
                  <p class="notes">
                    <span class="muted">{t("consultation.notes")}: </span>
                    {c.notes || t("history.noNotes")}
                  </p>
                </Show>
              </article>
            </li>
          )}
        </For>
      </ol>
      <ErrorAlert error={error()}>
        <button type="button" onClick={() => load(loaded())}>
          {t("common.retry")}
        </button>
      </ErrorAlert>
      <Show when={loading()}>
        <Loading />
      </Show>
      <Show when={!loading() && cursor()}>
        <button type="button" class="secondary" onClick={() => load(true)}>
          {t("history.more")}
        </button>
      </Show>
    </section>
  );
};

export default PatientHistoryPage;
