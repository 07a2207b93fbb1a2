/**
 * The agenda as a time grid: an hour axis and one column per day (a doctor's week) or per doctor
 * (a clinic's day), drawn to scale by the viewer's wall clock. Working hours are the plain band
 * (outside them the column is hatched), time off a labelled block, free slots and consultations
 * buttons with full accessible names.
 *
 * Keyboard: the grid is one Tab stop (a roving tabindex); the arrow keys move between items of a
 * column and across columns (to the nearest time), Home/End to a column's first and last item,
 * Enter opens. Pointer: a consultation can be dragged onto a free slot of its doctor (pointer
 * events, so touch works too); a press without movement is a click.
 */
import { type Component, createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import {
  axisRange,
  dayBounds,
  type LocalDate,
  lanes,
  nearestIndex,
  type Placed,
  placeInDay,
  type WeeklyRule,
  workingIntervals,
} from "../../lib/agenda-grid";
import type { Consultation, Slot, TimeOff } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatDateTime, formatTime } from "../../lib/time";

export interface GridColumn {
  key: string;
  date: LocalDate;
  /** Visible column heading (a day, or a doctor's name). */
  heading: string;
  /** Spoken name of the column (day and doctor). */
  label: string;
  doctor: { id: string; name: string };
  availability?: { timezone: string; rules: WeeklyRule[] };
  slots: Slot[];
  timeOff: TimeOff[];
  consultations: Consultation[];
}

/** Pixels per minute: a 30-minute slot is 48 px tall. */
const PPM = 1.6;

type Item =
  | { kind: "free"; id: string; col: number; place: Placed; slot: Slot; doctorId: string; doctorName: string }
  | { kind: "consultation"; id: string; col: number; place: Placed; consultation: Consultation };

export interface GridControl {
  /** Moves focus to an item (by its element id) or to the first free slot of a doctor. */
  focus: (id: string) => boolean;
  focusFirstFree: (doctorId: string) => boolean;
}

export const freeId = (colKey: string, startsAt: string) => `free-${colKey}-${Date.parse(startsAt)}`;
export const consultationId = (id: string) => `consultation-${id}`;

const longDay = (d: string | Date, lang: string, zone: string) =>
  new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "short", timeZone: zone }).format(
    typeof d === "string" ? new Date(d) : d,
  );

export const TimeGrid: Component<{
  columns: GridColumn[];
  zone: string;
  regionLabel: string;
  /** The consultation being rescheduled, if any: free slots of its doctor are the targets. */
  moving?: Consultation;
  selectedId?: string;
  canMove: (c: Consultation) => boolean;
  onFree: (slot: Slot, doctorId: string) => void;
  onOpen: (c: Consultation) => void;
  onDrop: (c: Consultation, slot: Slot) => void;
  onEscape: () => void;
  control?: (c: GridControl) => void;
}> = (props) => {
  let scroller!: HTMLElement;
  const keysId = "agenda-grid-keys";

  const laidOut = createMemo(() =>
    props.columns.map((col, ci) => {
      const bounds = dayBounds(col.date, props.zone);
      const work = col.availability
        ? workingIntervals(col.availability.rules, col.availability.timezone, bounds.start, bounds.end)
            .map((w) => ({ ...w, place: placeInDay(w.start, w.end, col.date, props.zone) }))
            .filter((w): w is typeof w & { place: Placed } => w.place !== null)
        : [];
      const off = col.timeOff
        .map((o) => ({ o, place: placeInDay(Date.parse(o.startsAt), Date.parse(o.endsAt), col.date, props.zone) }))
        .filter((x): x is { o: TimeOff; place: Placed } => x.place !== null);
      const items: Item[] = [];
      for (const s of col.slots) {
        const place = placeInDay(Date.parse(s.startsAt), Date.parse(s.endsAt), col.date, props.zone);
        if (place)
          items.push({
            kind: "free",
            id: freeId(col.key, s.startsAt),
            col: ci,
            place,
            slot: s,
            doctorId: col.doctor.id,
            doctorName: col.doctor.name,
          });
      }
      for (const c of col.consultations) {
        if (c.status === "cancelled") continue;
        const place = placeInDay(Date.parse(c.startsAt), Date.parse(c.endsAt), col.date, props.zone);
        if (place) items.push({ kind: "consultation", id: consultationId(c.id), col: ci, place, consultation: c });
      }
      items.sort((a, b) => a.place.top - b.place.top || (a.kind === "consultation" ? -1 : 1));
      const itemLanes = lanes(items.map((i) => i.place));
      return { col, work, off, items: items.map((item, i) => ({ item, lane: itemLanes[i]! })) };
    }),
  );

  const axis = createMemo(() =>
    axisRange(laidOut().flatMap((c) => [...c.work.map((w) => w.place), ...c.items.map((i) => i.item.place)])),
  );
  const px = (minutes: number) => `${Math.round(minutes * PPM)}px`;
  const height = () => px(axis()[1] - axis()[0]);
  const hours = createMemo(() => {
    const out: { minute: number; label: string }[] = [];
    for (let m = axis()[0]; m < axis()[1]; m += 60) {
      out.push({ minute: m, label: formatTime(new Date(Date.UTC(2000, 0, 1, m / 60)), locale(), "UTC") });
    }
    return out;
  });

  const allItems = createMemo(() => laidOut().flatMap((c) => c.items.map((x) => x.item)));
  const byId = createMemo(() => new Map(allItems().map((i) => [i.id, i])));
  // The roving tab stop: the last item focused, else the first consultation, else the first slot.
  const [activeId, setActiveId] = createSignal<string>();
  const tabStop = createMemo(() => {
    const id = activeId();
    if (id && byId().has(id)) return id;
    return (allItems().find((i) => i.kind === "consultation") ?? allItems()[0])?.id;
  });

  const focusItem = (id: string) => {
    const el = document.getElementById(id);
    if (!el) return false;
    setActiveId(id);
    el.focus();
    el.scrollIntoView({ block: "nearest", inline: "nearest" });
    return true;
  };
  props.control?.({
    focus: focusItem,
    focusFirstFree: (doctorId) => {
      const first = allItems().find((i) => i.kind === "free" && i.doctorId === doctorId);
      return first ? focusItem(first.id) : false;
    },
  });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      props.onEscape();
      return;
    }
    const current = byId().get((e.target as HTMLElement).id);
    if (!current) return;
    const columns = laidOut().map((c) => c.items.map((x) => x.item));
    const list = columns[current.col]!;
    const i = list.findIndex((x) => x.id === current.id);
    let target: Item | undefined;
    const across = (dir: 1 | -1) => {
      for (let c = current.col + dir; c >= 0 && c < columns.length; c += dir) {
        const other = columns[c]!;
        if (other.length === 0) continue;
        return other[
          nearestIndex(
            other.map((x) => x.place.top),
            current.place.top,
          )
        ];
      }
      return undefined;
    };
    if (e.key === "ArrowDown") target = list[i + 1];
    else if (e.key === "ArrowUp") target = list[i - 1];
    else if (e.key === "Home") target = list[0];
    else if (e.key === "End") target = list[list.length - 1];
    else if (e.key === "ArrowRight") target = across(1);
    else if (e.key === "ArrowLeft") target = across(-1);
    else return;
    e.preventDefault();
    if (target) focusItem(target.id);
  };

  // Dragging a consultation onto a free slot.
  const [dragging, setDragging] = createSignal<string>();
  const [dragOver, setDragOver] = createSignal<string>();
  let drag: { c: Consultation; el: HTMLElement; x: number; y: number; moved: boolean } | undefined;
  let suppressClick = false;
  const dropTarget = (x: number, y: number, c: Consultation) => {
    const el = document.elementsFromPoint(x, y).find((e) => e instanceof HTMLElement && e.dataset.kind === "free") as
      | HTMLElement
      | undefined;
    const item = el ? byId().get(el.id) : undefined;
    return item?.kind === "free" && item.doctorId === c.doctorId ? item : undefined;
  };
  const endDrag = () => {
    if (drag) drag.el.style.transform = "";
    drag = undefined;
    setDragging(undefined);
    setDragOver(undefined);
  };
  const onPointerDown = (e: PointerEvent, c: Consultation) => {
    if (e.button !== 0 || !props.canMove(c)) return;
    const el = e.currentTarget as HTMLElement;
    drag = { c, el, x: e.clientX, y: e.clientY, moved: false };
    el.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 6) return;
    if (!drag.moved) {
      drag.moved = true;
      setDragging(drag.c.id);
    }
    drag.el.style.transform = `translate(${dx}px, ${dy}px)`;
    setDragOver(dropTarget(e.clientX, e.clientY, drag.c)?.id);
  };
  const onPointerUp = (e: PointerEvent) => {
    if (!drag) return;
    const { c, moved } = drag;
    const target = moved ? dropTarget(e.clientX, e.clientY, c) : undefined;
    if (moved) suppressClick = true;
    endDrag();
    if (target?.kind === "free") props.onDrop(c, target.slot);
  };

  // Bring the morning's first item into view when the days change (not on every refresh).
  createEffect(
    on(
      // Once per set of days, when their data has arrived.
      () => `${props.columns.map((c) => c.key).join()}|${laidOut().some((c) => c.items.length + c.work.length > 0)}`,
      () => {
        // The first consultation, else the first working hour.
        const consultations = laidOut().flatMap((c) =>
          c.items.filter((x) => x.item.kind === "consultation").map((x) => x.item.place.top),
        );
        const firstTop = Math.min(
          ...(consultations.length > 0 ? consultations : laidOut().flatMap((c) => c.work.map((w) => w.place.top))),
        );
        if (Number.isFinite(firstTop)) scroller.scrollTop = Math.max(0, (firstTop - axis()[0]) * PPM - 16);
      },
    ),
  );

  const workText = (work: { start: number; end: number }[]) =>
    work.length === 0
      ? t("agendaGrid.notWorking")
      : t("agendaGrid.working", {
          spans: work
            .map(
              (w) =>
                `${formatTime(new Date(w.start), locale(), props.zone)}–${formatTime(new Date(w.end), locale(), props.zone)}`,
            )
            .join(", "),
        });

  return (
    <>
      <p id={keysId} class="muted">
        {t("agendaGrid.keys")} {t("agendaGrid.bookHint")}
      </p>
      {/* A scrolling region must be reachable by keyboard (axe scrollable-region-focusable). */}
      <section
        ref={scroller}
        class="tgrid-scroll"
        aria-label={props.regionLabel}
        aria-describedby={keysId}
        tabindex="0"
      >
        {/* biome-ignore lint/a11y/noStaticElementInteractions: key and pointer events are delegated from the buttons inside */}
        <div
          class="tgrid"
          classList={{ "tgrid-moving": !!props.moving }}
          style={{ "grid-template-columns": `3.5rem repeat(${props.columns.length}, minmax(9rem, 1fr))` }}
          onKeyDown={onKeyDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={endDrag}
        >
          <div class="tgrid-corner" aria-hidden="true" />
          <For each={laidOut()}>
            {(c) => (
              <div class="tgrid-head" id={`head-${c.col.key}`}>
                <strong>{c.col.heading}</strong>
                <span class="tgrid-hours">{workText(c.work)}</span>
              </div>
            )}
          </For>
          <div class="tgrid-axis" aria-hidden="true" style={{ height: height() }}>
            <For each={hours()}>
              {(h) => (
                <span class="tgrid-hour" style={{ top: px(h.minute - axis()[0]) }}>
                  {h.label}
                </span>
              )}
            </For>
          </div>
          <For each={laidOut()}>
            {(c) => (
              <fieldset
                class="tgrid-col"
                aria-label={c.col.label}
                aria-describedby={`head-${c.col.key}`}
                data-column={c.col.key}
                style={{ height: height(), "--hour": px(60) }}
              >
                <For each={c.work}>
                  {(w) => (
                    <div
                      class="tgrid-work"
                      aria-hidden="true"
                      style={{ top: px(w.place.top - axis()[0]), height: px(w.place.bottom - w.place.top) }}
                    />
                  )}
                </For>
                <For each={c.off}>
                  {(o) => (
                    <div
                      class="tgrid-off"
                      style={{ top: px(o.place.top - axis()[0]), height: px(o.place.bottom - o.place.top) }}
                    >
                      <span>
                        {t("agenda.away", {
                          from: formatDateTime(o.o.startsAt, locale(), props.zone),
                          to: formatDateTime(o.o.endsAt, locale(), props.zone),
                        })}
                        <Show when={o.o.reason}> · {o.o.reason}</Show>
                      </span>
                    </div>
                  )}
                </For>
                <For each={c.items}>
                  {({ item, lane }) => {
                    const style = () => ({
                      top: px(item.place.top - axis()[0]),
                      height: px(Math.max(item.place.bottom - item.place.top, 15)),
                      left: `calc(${(lane.col / lane.cols) * 100}% + 2px)`,
                      width: `calc(${100 / lane.cols}% - 4px)`,
                    });
                    const times = (s: string, e: string) =>
                      `${formatTime(s, locale(), props.zone)}–${formatTime(e, locale(), props.zone)}`;
                    if (item.kind === "free") {
                      const target = () => props.moving?.doctorId === item.doctorId;
                      return (
                        <button
                          type="button"
                          id={item.id}
                          class="tgrid-item tgrid-free"
                          classList={{ "tgrid-target": target(), "tgrid-over": dragOver() === item.id }}
                          data-kind="free"
                          data-starts={item.slot.startsAt}
                          tabindex={tabStop() === item.id ? 0 : -1}
                          style={style()}
                          onFocus={() => setActiveId(item.id)}
                          onClick={() => props.onFree(item.slot, item.doctorId)}
                        >
                          {/* The name is the full sentence; what is drawn is its short form. */}
                          <span class="visually-hidden">
                            {t("agendaGrid.freeName", {
                              day: longDay(item.slot.startsAt, locale(), props.zone),
                              from: formatTime(item.slot.startsAt, locale(), props.zone),
                              to: formatTime(item.slot.endsAt, locale(), props.zone),
                              doctor: item.doctorName,
                            })}
                          </span>
                          <span aria-hidden="true">
                            {formatTime(item.slot.startsAt, locale(), props.zone)} · {t("agendaGrid.free")}
                          </span>
                        </button>
                      );
                    }
                    const c = item.consultation;
                    return (
                      <button
                        type="button"
                        id={item.id}
                        class={`tgrid-item tgrid-consultation status-${c.status}`}
                        classList={{
                          "tgrid-selected": props.selectedId === c.id,
                          "tgrid-dragging": dragging() === c.id,
                          "tgrid-movable": props.canMove(c),
                        }}
                        data-kind="consultation"
                        tabindex={tabStop() === item.id ? 0 : -1}
                        aria-pressed={props.selectedId === c.id}
                        style={style()}
                        onFocus={() => setActiveId(item.id)}
                        onPointerDown={(e) => onPointerDown(e, c)}
                        onClick={() => {
                          if (suppressClick) {
                            suppressClick = false;
                            return;
                          }
                          props.onOpen(c);
                        }}
                      >
                        <span class="visually-hidden">
                          {t("agendaGrid.consultationName", {
                            name: c.patient.name,
                            day: longDay(c.startsAt, locale(), props.zone),
                            from: formatTime(c.startsAt, locale(), props.zone),
                            to: formatTime(c.endsAt, locale(), props.zone),
                            status: t(`status.${c.status}` as const).toLowerCase(),
                          })}
                        </span>
                        <span aria-hidden="true">
                          <span class="tgrid-time">
                            {times(c.startsAt, c.endsAt)} · {t(`status.${c.status}` as const)}
                          </span>
                          <strong>{c.patient.name}</strong>
                        </span>
                      </button>
                    );
                  }}
                </For>
              </fieldset>
            )}
          </For>
        </div>
      </section>
    </>
  );
};
