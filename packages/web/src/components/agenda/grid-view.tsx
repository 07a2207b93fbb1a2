/**
 * The day and week grids with their data and actions: each doctor's weekly hours, free slots and
 * time off, and the consultations of the days shown. A free slot opens booking (the booking page,
 * with its patient picker, on that slot); a consultation opens its details (every action of the
 * list, and "Remarcar"). Rescheduling picks a new free slot of the same doctor in the grid (arrow
 * keys and Enter, or a drag) or from a list; each step is announced, a slot taken meanwhile (409)
 * is explained and the grid refreshed, and the view stays where it was.
 */
import { type Component, createMemo, createResource, createSignal, For, Show } from "solid-js";
import { localDateOf } from "../../lib/agenda-grid";
import { ApiError, api } from "../../lib/api";
import type { Availability, Consultation, Slot, TimeOff } from "../../lib/contract";
import { describeError, locale, t } from "../../lib/i18n";
import { addDays, formatDateTime, formatDay, formatDayLong } from "../../lib/time";
import { ConsultationItem } from "../consultation-item";
import { consultationId, type GridColumn, type GridControl, TimeGrid } from "./time-grid";

export interface GridDoctor {
  id: string;
  name: string;
}

interface DoctorDays {
  availability?: Availability;
  slots: Slot[];
  timeOff: TimeOff[];
}

export const GridView: Component<{
  view: "day" | "week";
  from: Date;
  zone: string;
  doctors: GridDoctor[];
  /** Bumped by the page when something outside the grid changed a consultation. */
  version?: number;
  onBook: (slot: Slot, doctorId: string) => void;
}> = (props) => {
  const to = () => addDays(props.from, props.view === "day" ? 1 : 7);
  const availabilityCache = new Map<string, Promise<Availability | undefined>>();
  const availabilityOf = (id: string) => {
    let p = availabilityCache.get(id);
    if (!p) {
      p = api.getAvailability(id).catch(() => undefined);
      availabilityCache.set(id, p);
    }
    return p;
  };

  const [data, { refetch }] = createResource(
    () => ({
      ids: props.doctors.map((d) => d.id),
      from: props.from.toISOString(),
      to: to().toISOString(),
      version: props.version ?? 0,
    }),
    async ({ ids, from, to }) => {
      const [consultations, perDoctor] = await Promise.all([
        ids.length === 0
          ? Promise.resolve([] as Consultation[])
          : api.listConsultations({ from, to, doctorId: ids.length === 1 ? ids[0] : undefined, limit: "500" }),
        Promise.all(
          ids.map(async (id): Promise<[string, DoctorDays]> => {
            const [availability, slots, timeOff] = await Promise.all([
              availabilityOf(id),
              api.slots(id, from, to),
              api.listTimeOff(id, from, to),
            ]);
            return [id, { availability, slots, timeOff }];
          }),
        ),
      ]);
      return { consultations, byDoctor: new Map(perDoctor) };
    },
  );

  const columns = createMemo<GridColumn[]>(() => {
    // Read without suspending: the grid stays on screen while it refreshes.
    const d = data.state === "ready" || data.state === "refreshing" ? data.latest : undefined;
    const dates = props.view === "day" ? [props.from] : Array.from({ length: 7 }, (_, i) => addDays(props.from, i));
    const doctors = props.view === "day" ? props.doctors : props.doctors.slice(0, 1);
    return dates.flatMap((date) =>
      doctors.map((doctor) => {
        const mine = d?.byDoctor.get(doctor.id);
        const dayLong = formatDayLong(date, locale(), props.zone);
        return {
          key: `${doctor.id}-${date.getTime()}`,
          date: localDateOf(date),
          heading: props.view === "day" ? doctor.name : formatDay(date, locale(), props.zone),
          label: `${props.view === "day" ? doctor.name : dayLong}, ${props.view === "day" ? dayLong : doctor.name}`,
          doctor,
          availability: mine?.availability,
          slots: mine?.slots ?? [],
          timeOff: mine?.timeOff ?? [],
          consultations: (d?.consultations ?? []).filter((c) => c.doctorId === doctor.id),
        };
      }),
    );
  });

  const [selected, setSelected] = createSignal<Consultation>();
  const [moving, setMoving] = createSignal<Consultation>();
  const [announcement, setAnnouncement] = createSignal("");
  const [moveError, setMoveError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  const [listChoice, setListChoice] = createSignal("");
  let control: GridControl | undefined;
  let details: HTMLHeadingElement | undefined;

  const when = (iso: string) => formatDateTime(iso, locale(), props.zone);
  const doctorName = (id: string) => props.doctors.find((d) => d.id === id)?.name ?? "";
  const canMove = (c: Consultation) => c.status === "scheduled" && Date.parse(c.startsAt) > Date.now();
  const targets = createMemo(() => {
    const m = moving();
    const d = data.state === "ready" || data.state === "refreshing" ? data.latest : undefined;
    return m ? (d?.byDoctor.get(m.doctorId)?.slots ?? []) : [];
  });

  const open = (c: Consultation) => {
    setSelected(c);
    queueMicrotask(() => details?.focus());
  };
  const startMove = (c: Consultation) => {
    setMoving(c);
    setMoveError(undefined);
    setListChoice("");
    const message = t("agendaGrid.moving", { name: c.patient.name, when: when(c.startsAt), doctor: c.doctor.name });
    setAnnouncement(message);
    if (!control?.focusFirstFree(c.doctorId)) {
      setAnnouncement(`${message} ${t("agendaGrid.noFree", { doctor: c.doctor.name })}`);
    }
  };
  const cancelMove = () => {
    const m = moving();
    if (!m) return;
    setMoving(undefined);
    setMoveError(undefined);
    setAnnouncement(t("agendaGrid.moveCancelled"));
    control?.focus(consultationId(m.id));
  };
  const move = async (c: Consultation, slot: Slot) => {
    if (slot.startsAt === c.startsAt) return;
    setBusy(true);
    setMoveError(undefined);
    try {
      const updated = await api.updateConsultation(c.id, { startsAt: slot.startsAt });
      setMoving(undefined);
      setSelected(updated);
      setAnnouncement(t("agendaGrid.moved", { name: updated.patient.name, when: when(updated.startsAt) }));
      await refetch();
      setTimeout(() => control?.focus(consultationId(updated.id)), 0);
    } catch (err) {
      setMoveError(err);
      setMoving(c);
      setAnnouncement(err instanceof ApiError && err.status === 409 ? t("agendaGrid.moveTaken") : describeError(err));
      await refetch();
      // The slot that was taken is gone: back to the first free one, still rescheduling.
      setTimeout(() => control?.focusFirstFree(c.doctorId), 0);
    } finally {
      setBusy(false);
    }
  };
  const onFree = (slot: Slot, doctorId: string) => {
    const m = moving();
    if (!m) return props.onBook(slot, doctorId);
    if (doctorId !== m.doctorId) {
      setAnnouncement(t("agendaGrid.otherDoctor", { doctor: m.doctor.name }));
      return;
    }
    void move(m, slot);
  };
  const changed = (c: Consultation) => {
    setSelected(c);
    void refetch();
  };

  const rangeLabel = () =>
    props.view === "day"
      ? formatDayLong(props.from, locale(), props.zone)
      : `${formatDay(props.from, locale(), props.zone)} – ${formatDay(addDays(to(), -1), locale(), props.zone)}, ${doctorName(props.doctors[0]?.id ?? "")}`;

  return (
    <div class="agenda-grid">
      <p class="visually-hidden" aria-live="polite" data-testid="grid-announcer">
        {announcement()}
      </p>
      <Show when={moving()}>
        {(m) => (
          <section class="alert alert-info move-panel" aria-labelledby="move-heading">
            <p id="move-heading">
              {t("agendaGrid.moving", { name: m().patient.name, when: when(m().startsAt), doctor: m().doctor.name })}
            </p>
            <Show when={moveError()}>
              <div class="alert alert-error" role="alert">
                <p>
                  {moveError() instanceof ApiError && (moveError() as ApiError).status === 409
                    ? t("agendaGrid.moveTaken")
                    : describeError(moveError())}
                </p>
              </div>
            </Show>
            <form
              class="row"
              onSubmit={(e) => {
                e.preventDefault();
                const slot = targets().find((s) => s.startsAt === listChoice());
                if (slot) void move(m(), slot);
              }}
            >
              <div>
                <label for="move-slot">{t("agendaGrid.newTime")}</label>
                <select id="move-slot" value={listChoice()} onChange={(e) => setListChoice(e.currentTarget.value)}>
                  <option value="">{t("agendaGrid.chooseTime")}</option>
                  <For each={targets()}>{(s) => <option value={s.startsAt}>{when(s.startsAt)}</option>}</For>
                </select>
              </div>
              <div class="actions">
                <button type="submit" disabled={busy() || !listChoice()}>
                  {t("agendaGrid.moveHere")}
                </button>
                <button type="button" class="secondary" onClick={cancelMove}>
                  {t("agendaGrid.cancelMove")}
                </button>
              </div>
            </form>
          </section>
        )}
      </Show>
      <Show when={data.error}>
        <div class="alert alert-error" role="alert">
          <p>{describeError(data.error)}</p>
          <button type="button" onClick={() => void refetch()}>
            {t("common.retry")}
          </button>
        </div>
      </Show>
      {/* Always there, empty once loaded: the grid below must not move when the data arrives. */}
      <p class="muted grid-status" role="status">
        {data.state === "pending" ? t("common.loading") : ""}
      </p>
      <TimeGrid
        columns={columns()}
        zone={props.zone}
        regionLabel={t("agendaGrid.region", { range: rangeLabel() })}
        moving={moving()}
        selectedId={selected()?.id}
        canMove={canMove}
        onFree={onFree}
        onOpen={open}
        onDrop={(c, slot) => void move(c, slot)}
        onEscape={cancelMove}
        control={(c) => {
          control = c;
        }}
      />
      <Show when={selected()}>
        {(c) => (
          <section class="grid-details" aria-labelledby="grid-details-heading">
            <div class="grid-details-head">
              <h2 id="grid-details-heading" tabindex="-1" ref={details}>
                {t("agendaGrid.selected")}
              </h2>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  const id = c().id;
                  setSelected(undefined);
                  control?.focus(consultationId(id));
                }}
              >
                {t("agendaGrid.closeDetails")}
              </button>
            </div>
            <ConsultationItem
              consultation={c()}
              onChange={changed}
              withDate
              onReschedule={canMove(c()) ? () => startMove(c()) : undefined}
            />
          </section>
        )}
      </Show>
    </div>
  );
};
