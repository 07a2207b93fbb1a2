/**
 * The doctor's agenda (an admin's, for any doctor), in the viewer's zone: a day or a week as a time
 * grid (components/agenda), or seven days as a list (the phone layout, and the default at 600 px
 * or less). The chosen view is in the URL (`?view=day|week|list`) and remembered. After a call (the
 * room page sends the doctor here with `?after=<id>`), it offers to complete the consultation.
 */
import { useLocation, useNavigate, useSearchParams } from "@solidjs/router";
import { type Component, createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import { GridView } from "../components/agenda/grid-view";
import { ConsultationItem } from "../components/consultation-item";
import { DoctorSelect } from "../components/doctor-select";
import { WaitingRoomPanel } from "../components/telemedicine/waiting-room";
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

type View = "day" | "week" | "list";
const VIEW_KEY = "healthflow.agendaView";
/** Admins see this many doctors side by side in the day grid, a page at a time. */
const DOCTORS_PER_PAGE = 5;

function storedView(): View | undefined {
  try {
    const v = globalThis.localStorage?.getItem(VIEW_KEY);
    return v === "day" || v === "week" || v === "list" ? v : undefined;
  } catch {
    return undefined;
  }
}
function rememberView(v: View): void {
  try {
    globalThis.localStorage?.setItem(VIEW_KEY, v);
  } catch {
    // Private mode: the URL still carries the view.
  }
}

const Agenda: Component = () => {
  const [params, setParams] = useSearchParams<{
    view?: string;
    doctor?: string;
    after?: string;
    from?: string;
    specialty?: string;
  }>();
  const navigate = useNavigate();
  const location = useLocation();
  const zone = viewerZone();
  const isAdmin = () => user()?.role === "admin";
  const message = flash();
  setFlash(undefined);
  // The URL's view, else the one chosen last time, else the list on a phone, the day of every
  // doctor for an admin and the week for a doctor.
  const fallbackView: View =
    storedView() ??
    (typeof window !== "undefined" && window.matchMedia?.("(max-width: 600px)").matches
      ? "list"
      : user()?.role === "admin"
        ? "day"
        : "week");
  const view = (): View =>
    params.view === "day" || params.view === "week" || params.view === "list" ? params.view : fallbackView;
  const chooseView = (v: View) => {
    rememberView(v);
    setParams({ view: v });
  };
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
    () => (view() === "list" ? { ...range(), doctorId: doctorFilter() } : undefined),
    ({ from, to, doctorId }) =>
      api.listConsultations({ from: from.toISOString(), to: to.toISOString(), doctorId: doctorId || undefined }),
  );
  const [timeOff] = createResource(
    () => (doctorFilter() && view() === "list" ? { ...range(), doctorId: doctorFilter() } : undefined),
    ({ from, to, doctorId }) => api.listTimeOff(doctorId, from.toISOString(), to.toISOString()),
  );
  const [gridVersion, setGridVersion] = createSignal(0);
  const replace = (c: Consultation) => {
    mutate((all) => (all ?? []).map((x) => (x.id === c.id ? c : x)));
    setGridVersion(gridVersion() + 1);
  };
  const days = createMemo(() => {
    const n = 7;
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

  // The grid's columns: the doctor's own; an admin's doctors (a specialty, one doctor, or a page
  // of every doctor side by side for a day; one doctor for a week).
  const specialties = createMemo(() => [...new Set((doctors() ?? []).map((d) => d.specialty))].sort());
  const filteredDoctors = createMemo(() =>
    (doctors() ?? []).filter(
      (d) => (!params.doctor || d.id === params.doctor) && (!params.specialty || d.specialty === params.specialty),
    ),
  );
  const [doctorPage, setDoctorPage] = createSignal(0);
  createEffect(on([() => params.doctor, () => params.specialty], () => setDoctorPage(0), { defer: true }));
  const pageCount = () => Math.max(1, Math.ceil(filteredDoctors().length / DOCTORS_PER_PAGE));
  const gridDoctors = createMemo(() => {
    const me = user();
    if (!isAdmin()) return me ? [{ id: me.id, name: me.name }] : [];
    if (view() === "week") return params.doctor ? filteredDoctors().slice(0, 1) : [];
    const page = Math.min(doctorPage(), pageCount() - 1);
    return filteredDoctors().slice(page * DOCTORS_PER_PAGE, (page + 1) * DOCTORS_PER_PAGE);
  });
  const book = (slot: { startsAt: string }, doctorId: string) => {
    const back = location.pathname + location.search;
    navigate(`/book?doctor=${doctorId}&at=${encodeURIComponent(slot.startsAt)}&back=${encodeURIComponent(back)}`);
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
      <WaitingRoomPanel
        doctorId={doctorFilter() || undefined}
        onChange={() => {
          void refetch();
          setGridVersion(gridVersion() + 1);
        }}
      />

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
        <Show when={isAdmin() && view() !== "list"}>
          <div>
            <label for="agenda-specialty">{t("agendaGrid.specialty")}</label>
            <select
              id="agenda-specialty"
              value={params.specialty ?? ""}
              onChange={(e) => setParams({ specialty: e.currentTarget.value || undefined })}
            >
              <option value="">{t("agendaGrid.allSpecialties")}</option>
              <For each={specialties()}>
                {(s) => (
                  <option value={s} selected={s === params.specialty}>
                    {s}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
        <fieldset class="segmented">
          <legend class="visually-hidden">{t("agenda.view")}</legend>
          <button type="button" aria-pressed={view() === "day"} onClick={() => chooseView("day")}>
            {t("agenda.day")}
          </button>
          <button type="button" aria-pressed={view() === "week"} onClick={() => chooseView("week")}>
            {t("agenda.week")}
          </button>
          <button type="button" aria-pressed={view() === "list"} onClick={() => chooseView("list")}>
            {t("agendaGrid.list")}
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
      <Show when={view() !== "list"}>
        <Show when={isAdmin() && view() === "day" && pageCount() > 1}>
          <div class="actions doctor-pages">
            <button
              type="button"
              class="secondary"
              disabled={doctorPage() === 0}
              onClick={() => setDoctorPage(doctorPage() - 1)}
            >
              {t("agendaGrid.prevDoctors")}
            </button>
            <span>
              {t("agendaGrid.doctorsPage", {
                from: doctorPage() * DOCTORS_PER_PAGE + 1,
                to: Math.min(filteredDoctors().length, (doctorPage() + 1) * DOCTORS_PER_PAGE),
                total: filteredDoctors().length,
              })}
            </span>
            <button
              type="button"
              class="secondary"
              disabled={doctorPage() >= pageCount() - 1}
              onClick={() => setDoctorPage(doctorPage() + 1)}
            >
              {t("agendaGrid.nextDoctors")}
            </button>
          </div>
        </Show>
        <Show
          when={gridDoctors().length > 0}
          fallback={
            <Show when={!isAdmin() || doctors()}>
              <p class="muted">{view() === "week" ? t("agendaGrid.chooseDoctor") : t("agendaGrid.noDoctors")}</p>
            </Show>
          }
        >
          <GridView
            view={view() === "day" ? "day" : "week"}
            from={range().from}
            zone={zone}
            doctors={gridDoctors()}
            version={gridVersion()}
            onBook={book}
          />
        </Show>
      </Show>
      <Show when={view() === "list"}>
        <Show when={!list.loading} fallback={<Loading />}>
          <ErrorAlert error={list.error}>
            <button type="button" onClick={refetch}>
              {t("common.retry")}
            </button>
          </ErrorAlert>
          <div class="week agenda-list">
            <For each={days()}>
              {(d) => (
                <section class="agenda-day" aria-label={formatDayLong(d.date, locale(), zone)}>
                  <h3>{formatDay(d.date, locale(), zone)}</h3>
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
      </Show>
    </>
  );
};

export default Agenda;
