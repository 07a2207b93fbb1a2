/**
 * A doctor's weekly hours: rules in the doctor's own zone (as the server stores them), the zone and
 * the slot length. A rule that ends before it starts is marked on its row, locally before sending
 * and from the server's answer, so "check the marked fields" always has something marked.
 */
import { type Component, createEffect, createSignal, For, Index, on, Show } from "solid-js";
import { ApiError, api } from "../../lib/api";
import { sortRules, weekdayNames } from "../../lib/consultations";
import type { Availability, AvailabilityRule, ConsultationMode } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { isTimeZone } from "../../lib/zones";
import { ErrorAlert, Notice } from "../ui";
import { ZoneInput } from "../zone-input";

/** Rows whose end is not after their start ("24:00" is the end of the day). */
export function invalidRows(rules: AvailabilityRule[]): Set<number> {
  const bad = new Set<number>();
  rules.forEach((r, i) => {
    if (!/^\d{2}:\d{2}$/.test(r.start) || !/^\d{2}:\d{2}$/.test(r.end) || r.start >= r.end) bad.add(i);
  });
  return bad;
}

/** In person or video (issue #13): rows offering no mode (a rule offers one or both). */
export function rowsWithoutModes(rules: AvailabilityRule[]): Set<number> {
  return new Set(rules.flatMap((r, i) => (r.modes && r.modes.length === 0 ? [i] : [])));
}
const BOTH_MODES: ConsultationMode[] = ["video", "in_person"];
const modesOf = (r: AvailabilityRule): ConsultationMode[] => r.modes ?? BOTH_MODES;

/** Rows a 400 answer points at (`details[].path` = ["rules", n, ...]). */
function rowsFromServer(err: unknown): Set<number> {
  const rows = new Set<number>();
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return rows;
  for (const d of err.details as { path?: unknown }[]) {
    if (Array.isArray(d.path) && d.path[0] === "rules" && typeof d.path[1] === "number") rows.add(d.path[1]);
  }
  return rows;
}

export const WeeklyHoursForm: Component<{ doctorId: string; availability: Availability }> = (props) => {
  const [rules, setRules] = createSignal<AvailabilityRule[]>([]);
  const [timezone, setTimezone] = createSignal("");
  const [slotMinutes, setSlotMinutes] = createSignal(30);
  const [saveError, setSaveError] = createSignal<unknown>();
  const [marked, setMarked] = createSignal<Set<number>>(new Set());
  const [noModes, setNoModes] = createSignal<Set<number>>(new Set());
  const [zoneInvalid, setZoneInvalid] = createSignal(false);
  const [saved, setSaved] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  createEffect(
    on(
      () => props.availability,
      (a) => {
        setRules(sortRules(a.rules));
        setTimezone(a.timezone);
        setSlotMinutes(a.slotMinutes);
      },
    ),
  );
  const names = () => weekdayNames(locale());
  const update = (i: number, patch: Partial<AvailabilityRule>) =>
    setRules(rules().map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const describe = (r: AvailabilityRule) => `${names()[r.weekday]} ${r.start}–${r.end}`;

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(false);
    setSaveError(undefined);
    const bad = invalidRows(rules());
    setMarked(bad);
    setNoModes(rowsWithoutModes(rules()));
    setZoneInvalid(!isTimeZone(timezone()));
    if (bad.size > 0 || noModes().size > 0 || zoneInvalid()) return;
    setBusy(true);
    try {
      const a = await api.putAvailability(props.doctorId, {
        timezone: timezone(),
        slotMinutes: slotMinutes(),
        rules: rules(),
      });
      setRules(sortRules(a.rules));
      setSaved(true);
    } catch (err) {
      setMarked(rowsFromServer(err));
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} aria-labelledby="weekly-heading" novalidate>
      <h2 id="weekly-heading">{t("availability.weekly")}</h2>
      <div class="row">
        <ZoneInput
          id="availability-zone"
          label={t("availability.timezone")}
          value={timezone()}
          invalid={zoneInvalid()}
          onInput={setTimezone}
        />
        <div>
          <label for="availability-slot">{t("availability.slotMinutes")}</label>
          <input
            id="availability-slot"
            type="number"
            min={5}
            max={240}
            step={5}
            value={slotMinutes()}
            onInput={(e) => setSlotMinutes(Number(e.currentTarget.value))}
          />
        </div>
      </div>
      <p class="muted">{t("availability.rulesZone", { zone: timezone() })}</p>
      <Show when={rules().length > 0} fallback={<p class="muted">{t("availability.none")}</p>}>
        <table class="rules">
          <thead>
            <tr>
              <th scope="col">{t("availability.weekday")}</th>
              <th scope="col">{t("availability.start")}</th>
              <th scope="col">{t("availability.end")}</th>
              <th scope="col">{t("availability.modes")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("common.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <Index each={rules()}>
              {(rule, i) => (
                <tr>
                  <td>
                    <select
                      aria-label={t("availability.weekdayOf", { n: i + 1 })}
                      value={String(rule().weekday)}
                      onChange={(e) => update(i, { weekday: Number(e.currentTarget.value) })}
                    >
                      <For each={names()}>
                        {(name, d) => (
                          <option value={String(d())} selected={d() === rule().weekday}>
                            {name}
                          </option>
                        )}
                      </For>
                    </select>
                  </td>
                  <td>
                    <input
                      type="time"
                      aria-label={t("availability.startOf", { n: i + 1 })}
                      aria-invalid={marked().has(i) ? "true" : undefined}
                      value={rule().start}
                      onInput={(e) => update(i, { start: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="time"
                      aria-label={t("availability.endOf", { n: i + 1 })}
                      aria-invalid={marked().has(i) ? "true" : undefined}
                      aria-describedby={marked().has(i) ? `rule-${i}-error` : undefined}
                      value={rule().end}
                      onInput={(e) => update(i, { end: e.currentTarget.value })}
                    />
                    <Show when={marked().has(i)}>
                      <p id={`rule-${i}-error`} class="field-error">
                        {t("availability.ruleInvalid")}
                      </p>
                    </Show>
                  </td>
                  <td class="modes-cell">
                    <fieldset
                      class="rule-modes"
                      aria-describedby={noModes().has(i) ? `rule-${i}-modes-error` : undefined}
                    >
                      <legend class="visually-hidden">{t("availability.modesOf", { rule: describe(rule()) })}</legend>
                      <For each={BOTH_MODES}>
                        {(m) => (
                          <label class="inline checkbox">
                            <input
                              type="checkbox"
                              checked={modesOf(rule()).includes(m)}
                              aria-invalid={noModes().has(i) ? "true" : undefined}
                              onChange={(e) => {
                                const on = e.currentTarget.checked;
                                const next = BOTH_MODES.filter((x) => (x === m ? on : modesOf(rule()).includes(x)));
                                update(i, { modes: next });
                              }}
                            />
                            {t(m === "video" ? "availability.modeVideo" : "availability.modeInPerson")}
                          </label>
                        )}
                      </For>
                    </fieldset>
                    <Show when={noModes().has(i)}>
                      <p id={`rule-${i}-modes-error`} class="field-error">
                        {t("availability.modesNone")}
                      </p>
                    </Show>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => {
                        setMarked(new Set<number>());
                        setNoModes(new Set<number>());
                        setRules(rules().filter((_, j) => j !== i));
                      }}
                    >
                      {t("availability.removeRule", { rule: describe(rule()) })}
                    </button>
                  </td>
                </tr>
              )}
            </Index>
          </tbody>
        </table>
      </Show>
      <Show when={noModes().size > 0 && !saveError()}>
        <p class="alert alert-error" role="alert">
          {[...noModes()]
            .flatMap((i) =>
              rules()[i]
                ? [`${t("availability.modesOf", { rule: describe(rules()[i]!) })}: ${t("availability.modesNone")}`]
                : [],
            )
            .join(" ")}
        </p>
      </Show>
      <Show when={marked().size > 0 && !saveError()}>
        <p class="alert alert-error" role="alert">
          {t("availability.rulesMarked", {
            rules: [...marked()].flatMap((i) => (rules()[i] ? [describe(rules()[i]!)] : [])).join("; "),
          })}
        </p>
      </Show>
      <ErrorAlert error={saveError()} />
      <Show when={saved()}>
        <Notice tone="success">{t("availability.saved")}</Notice>
      </Show>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => setRules([...rules(), { weekday: 1, start: "09:00", end: "17:00", modes: BOTH_MODES }])}
        >
          {t("availability.add")}
        </button>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : t("availability.save")}
        </button>
      </div>
    </form>
  );
};
