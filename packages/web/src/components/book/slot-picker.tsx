/**
 * Free slots of one doctor, a window of days at a time, grouped by day in the viewer's zone: pick a
 * day, then a time.
 */
import { type Component, createMemo, createSignal, For, Show } from "solid-js";
import type { Slot } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatDayLong, formatTime, groupSlotsByDay } from "../../lib/time";
import { ErrorAlert, Loading } from "../ui";

export const SlotPicker: Component<{
  slots: Slot[] | undefined;
  loading: boolean;
  error: unknown;
  zone: string;
  selected: Slot | undefined;
  canGoEarlier: boolean;
  onEarlier: () => void;
  onLater: () => void;
  onPick: (slot: Slot) => void;
}> = (props) => {
  const [dayKey, setDayKey] = createSignal<string>();
  const days = createMemo(() => groupSlotsByDay(props.error ? [] : (props.slots ?? []), props.zone, locale()));
  const selectedDay = () => days().find((d) => d.key === dayKey()) ?? days()[0];
  return (
    <section aria-labelledby="slots-heading">
      <h2 id="slots-heading">{t("book.freeSlots")}</h2>
      <div class="actions">
        <button type="button" class="secondary" disabled={!props.canGoEarlier} onClick={() => props.onEarlier()}>
          {t("book.earlier")}
        </button>
        <button type="button" class="secondary" onClick={() => props.onLater()}>
          {t("book.later")}
        </button>
      </div>
      <Show when={!props.loading} fallback={<Loading />}>
        <ErrorAlert error={props.error} />
        <Show when={days().length > 0} fallback={<p class="muted">{t("book.noSlots")}</p>}>
          <fieldset class="day-picker">
            <legend>{t("book.day")}</legend>
            <For each={days()}>
              {(d) => (
                <button
                  type="button"
                  class="day"
                  aria-pressed={selectedDay()?.key === d.key}
                  onClick={() => setDayKey(d.key)}
                >
                  {d.label}
                </button>
              )}
            </For>
          </fieldset>
          <Show when={selectedDay()}>
            {(d) => (
              <fieldset class="slot-picker">
                <legend>{formatDayLong(d().slots[0]!.startsAt, locale(), props.zone)}</legend>
                <For each={d().slots}>
                  {(s) => (
                    <button
                      type="button"
                      class="slot"
                      aria-pressed={props.selected?.startsAt === s.startsAt}
                      onClick={() => props.onPick(s)}
                    >
                      {formatTime(s.startsAt, locale(), props.zone)}
                    </button>
                  )}
                </For>
              </fieldset>
            )}
          </Show>
        </Show>
      </Show>
    </section>
  );
};
