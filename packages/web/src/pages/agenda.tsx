/**
 * The doctor's agenda (an admin's, for any doctor): a day or a week, in the viewer's zone. After a
 * call (the room page sends the doctor here with `?after=<id>`), it offers to complete the
 * consultation.
 */
import { useSearchParams } from "@solidjs/router";
import { type Component, createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import { ConsultationItem } from "../components/consultation-item";
import { DoctorSelect } from "../components/doctor-select";
import { ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import type { Consultation } from "../lib/contract";
import { locale, t } from "../lib/i18n";
import { flash, setFlash, user } from "../lib/session";
import {
  addDays,
  dayKey,
  formatDateTime,
  formatDay,
  formatDayLong,
  startOfDay,
  viewerZone,
  zoneLabel,
} from "../lib/time";

/** "2026-11-30" for the URL, in local time. */
const dayParam = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
function fromDayParam(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

type View = "day" | "week";

const Agenda: Component = () => {
  const [params, setParams] = useSearchParams<{ view?: string; doctor?: string; after?: string; from?: string }>();
  const zone = viewerZone();
  const isAdmin = () => user()?.role === "admin";
  const message = flash();
  setFlash(undefined);
  const view = (): View => (params.view === "day" ? "day" : "week");
  // The first day shown: today unless the URL says otherwise (so a reschedule comes back here).
  const anchor = () => fromDayParam(params.from) ?? startOfDay(new Date());
  const setAnchor = (d: Date) => setParams({ from: dayParam(d) === dayParam(new Date()) ? undefined : dayParam(d) });
  const doctorFilter = () => (isAdmin() ? (params.doctor ?? "") : user()!.id);

  const [doctors] = createResource(
    () => (isAdmin() ? true : undefined),
    () => api.listDoctors(),
  );
  // Seven days from the anchor, not Monday to Sunday: on a Sunday evening the week ahead is what matters.
  const range = createMemo(() => {
    const from = anchor();
    return { from, to: addDays(from, view() === "day" ? 1 : 7) };
  });
  const [list, { mutate, refetch }] = createResource(
    () => ({ ...range(), doctorId: doctorFilter() }),
    ({ from, to, doctorId }) =>
      api.listConsultations({ from: from.toISOString(), to: to.toISOString(), doctorId: doctorId || undefined }),
  );
  const [timeOff] = createResource(
    () => (doctorFilter() ? { ...range(), doctorId: doctorFilter() } : undefined),
    ({ from, to, doctorId }) => api.listTimeOff(doctorId, from.toISOString(), to.toISOString()),
  );
  const replace = (c: Consultation) => mutate((all) => (all ?? []).map((x) => (x.id === c.id ? c : x)));
  const days = createMemo(() => {
    const n = view() === "day" ? 1 : 7;
    const all = list.error ? [] : (list() ?? []);
    return Array.from({ length: n }, (_, i) => {
      const date = addDays(range().from, i);
      const key = dayKey(date, zone);
      const dayEnd = addDays(date, 1).getTime();
      const away = (timeOff.error ? [] : (timeOff() ?? [])).filter(
        (o) => Date.parse(o.startsAt) < dayEnd && Date.parse(o.endsAt) > date.getTime(),
      );
      return { date, key, away, items: all.filter((c) => dayKey(c.startsAt, zone) === key) };
    });
  });

  const [afterError, setAfterError] = createSignal<unknown>();
  // After a call: offer to complete the consultation the doctor just left.
  // A plain signal, not a resource: arriving here from the room page happens inside a router
  // transition, and a resource read only by this banner was never shown after it resolved.
  const [after, setAfter] = createSignal<Consultation>();
  createEffect(
    on(
      () => params.after,
      (id) => {
        setAfter(undefined);
        if (id) api.getConsultation(id).then(setAfter, setAfterError);
      },
    ),
  );
  const [afterDone, setAfterDone] = createSignal(false);
  const completeAfter = async () => {
    const c = after();
    if (!c) return;
    setAfterError(undefined);
    try {
      let current = c;
      if (current.status === "scheduled") current = await api.updateConsultation(c.id, { status: "in_progress" });
      current = await api.updateConsultation(c.id, { status: "completed" });
      replace(current);
      setAfterDone(true);
    } catch (err) {
      setAfterError(err);
    }
  };

  const move = (dir: -1 | 1) => setAnchor(addDays(anchor(), dir * (view() === "day" ? 1 : 7)));
  const heading = () =>
    view() === "day"
      ? formatDayLong(range().from, locale(), zone)
      : `${formatDay(range().from, locale(), zone)} – ${formatDay(addDays(range().to, -1), locale(), zone)}`;

  return (
    <>
      <PageTitle>{t("agenda.title")}</PageTitle>
      <Show when={message}>
        <Notice tone="success">{message}</Notice>
      </Show>
      <Show when={params.after && after() && !afterDone()}>
        <Show
          when={after()!.status === "scheduled" || after()!.status === "in_progress"}
          fallback={<Notice>{t("agenda.callEnded")}</Notice>}
        >
          <div class="alert alert-info" role="status">
            <p>{t("agenda.afterCall", { name: after()!.patient.name })}</p>
            <ErrorAlert error={afterError()} />
            <div class="actions">
              <button type="button" onClick={completeAfter}>
                {t("agenda.completeNow")}
              </button>
              <button type="button" class="secondary" onClick={() => setParams({ after: undefined })}>
                {t("common.later")}
              </button>
            </div>
          </div>
        </Show>
      </Show>
      <Show when={afterDone()}>
        <Notice tone="success">{t("agenda.completed")}</Notice>
      </Show>
      <p class="zone">{t("common.timesIn", { zone: zoneLabel(zone) })}</p>

      <div class="toolbar">
        <Show when={isAdmin()}>
          <div>
            <DoctorSelect
              id="agenda-doctor"
              label={t("agenda.doctorFilter")}
              emptyLabel={t("agenda.allDoctors")}
              value={params.doctor}
              doctors={doctors()}
              onChange={(doctor) => setParams({ doctor })}
            />
          </div>
        </Show>
        <fieldset class="segmented">
          <legend class="visually-hidden">{t("agenda.view")}</legend>
          <button type="button" aria-pressed={view() === "day"} onClick={() => setParams({ view: "day" })}>
            {t("agenda.day")}
          </button>
          <button type="button" aria-pressed={view() === "week"} onClick={() => setParams({ view: "week" })}>
            {t("agenda.week")}
          </button>
        </fieldset>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => move(-1)}>
            {view() === "day" ? t("agenda.prevDay") : t("agenda.prevWeek")}
          </button>
          <button type="button" class="secondary" onClick={() => setAnchor(startOfDay(new Date()))}>
            {t("agenda.today")}
          </button>
          <button type="button" class="secondary" onClick={() => move(1)}>
            {view() === "day" ? t("agenda.nextDay") : t("agenda.nextWeek")}
          </button>
        </div>
      </div>

      <h2 aria-live="polite">{heading()}</h2>
      <Show when={!list.loading} fallback={<Loading />}>
        <ErrorAlert error={list.error}>
          <button type="button" onClick={refetch}>
            {t("common.retry")}
          </button>
        </ErrorAlert>
        <div class={view() === "week" ? "week" : "day-view"}>
          <For each={days()}>
            {(d) => (
              <section class="agenda-day" aria-label={formatDayLong(d.date, locale(), zone)}>
                <Show when={view() === "week"}>
                  <h3>{formatDay(d.date, locale(), zone)}</h3>
                </Show>
                <For each={d.away}>
                  {(o) => (
                    <p class="time-off">
                      {t("agenda.away", {
                        from: formatDateTime(o.startsAt, locale(), zone),
                        to: formatDateTime(o.endsAt, locale(), zone),
                      })}
                      <Show when={o.reason}> · {o.reason}</Show>
                    </p>
                  )}
                </For>
                <Show when={d.items.length > 0} fallback={<p class="muted">{t("agenda.empty")}</p>}>
                  <ul class="cards">
                    <For each={d.items}>
                      {(c) => (
                        <li>
                          <ConsultationItem consultation={c} onChange={replace} />
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
              </section>
            )}
          </For>
        </div>
      </Show>
    </>
  );
};

export default Agenda;
