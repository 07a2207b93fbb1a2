/**
 * Weekly availability (rules in the doctor's own time zone, as the server stores them) and time
 * off (entered in the viewer's local time, sent as UTC). An admin picks the doctor first.
 */
import { useSearchParams } from "@solidjs/router";
import { type Component, createEffect, createResource, createSignal, For, Index, on, Show } from "solid-js";
import { DoctorSelect } from "../components/doctor-select";
import { ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { sortRules, weekdayNames } from "../lib/consultations";
import type { AvailabilityRule } from "../lib/contract";
import { locale, t } from "../lib/i18n";
import { user } from "../lib/session";
import { addDays, formatDateTime, fromLocalInput, viewerZone, zoneLabel } from "../lib/time";

function zones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone");
  return supported?.length ? supported : ["America/Sao_Paulo", "UTC"];
}

const AvailabilityPage: Component = () => {
  const [params, setParams] = useSearchParams<{ doctor?: string }>();
  const isAdmin = () => user()?.role === "admin";
  const doctorId = () => (isAdmin() ? (params.doctor ?? "") : user()!.id);
  const [doctors] = createResource(
    () => (isAdmin() ? true : undefined),
    () => api.listDoctors(),
  );

  const [availability, { refetch }] = createResource(
    () => doctorId() || undefined,
    (id) => api.getAvailability(id),
  );
  const [rules, setRules] = createSignal<AvailabilityRule[]>([]);
  const [timezone, setTimezone] = createSignal("");
  const [slotMinutes, setSlotMinutes] = createSignal(30);
  const [saveError, setSaveError] = createSignal<unknown>();
  const [saved, setSaved] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  createEffect(
    on(availability, (a) => {
      if (!a) return;
      setRules(sortRules(a.rules));
      setTimezone(a.timezone);
      setSlotMinutes(a.slotMinutes);
    }),
  );
  const names = () => weekdayNames(locale());
  const update = (i: number, patch: Partial<AvailabilityRule>) =>
    setRules(rules().map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    setSaveError(undefined);
    try {
      const a = await api.putAvailability(doctorId(), {
        timezone: timezone(),
        slotMinutes: slotMinutes(),
        rules: rules(),
      });
      setRules(sortRules(a.rules));
      setSaved(true);
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  // Time off
  const [offFrom, setOffFrom] = createSignal("");
  const [offTo, setOffTo] = createSignal("");
  const [offReason, setOffReason] = createSignal("");
  const [offError, setOffError] = createSignal<unknown>();
  const [offLocalError, setOffLocalError] = createSignal(false);
  const [timeOff, { refetch: refetchOff }] = createResource(
    () => doctorId() || undefined,
    (id) => api.listTimeOff(id, new Date().toISOString(), addDays(new Date(), 366).toISOString()),
  );
  const addOff = async (e: SubmitEvent) => {
    e.preventDefault();
    setOffError(undefined);
    const startsAt = fromLocalInput(offFrom());
    const endsAt = fromLocalInput(offTo());
    if (!startsAt || !endsAt || endsAt <= startsAt) {
      setOffLocalError(true);
      return;
    }
    setOffLocalError(false);
    try {
      await api.addTimeOff(doctorId(), { startsAt, endsAt, reason: offReason().trim() || undefined });
      setOffFrom("");
      setOffTo("");
      setOffReason("");
      await refetchOff();
    } catch (err) {
      setOffError(err);
    }
  };
  const zone = viewerZone();

  return (
    <>
      <PageTitle>{t("availability.title")}</PageTitle>
      <Show when={isAdmin()}>
        <DoctorSelect
          id="availability-doctor"
          label={t("agenda.doctorFilter")}
          emptyLabel={t("book.chooseDoctor")}
          value={params.doctor}
          doctors={doctors()}
          onChange={(doctor) => setParams({ doctor })}
        />
      </Show>

      <Show when={doctorId()}>
        <Show when={!availability.loading} fallback={<Loading />}>
          <ErrorAlert error={availability.error}>
            <button type="button" onClick={refetch}>
              {t("common.retry")}
            </button>
          </ErrorAlert>
          <form onSubmit={save} aria-labelledby="weekly-heading">
            <h2 id="weekly-heading">{t("availability.weekly")}</h2>
            <div class="row">
              <div>
                <label for="availability-zone">{t("availability.timezone")}</label>
                <select id="availability-zone" value={timezone()} onChange={(e) => setTimezone(e.currentTarget.value)}>
                  <For each={zones()}>
                    {(z) => (
                      <option value={z} selected={z === timezone()}>
                        {z}
                      </option>
                    )}
                  </For>
                </select>
              </div>
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
                            value={rule().start}
                            onInput={(e) => update(i, { start: e.currentTarget.value })}
                          />
                        </td>
                        <td>
                          <input
                            type="time"
                            aria-label={t("availability.endOf", { n: i + 1 })}
                            value={rule().end}
                            onInput={(e) => update(i, { end: e.currentTarget.value })}
                          />
                        </td>
                        <td>
                          <button
                            type="button"
                            class="secondary"
                            onClick={() => setRules(rules().filter((_, j) => j !== i))}
                          >
                            {t("availability.remove", { n: i + 1 })}
                          </button>
                        </td>
                      </tr>
                    )}
                  </Index>
                </tbody>
              </table>
            </Show>
            <ErrorAlert error={saveError()} />
            <Show when={saved()}>
              <Notice tone="success">{t("availability.saved")}</Notice>
            </Show>
            <div class="actions">
              <button
                type="button"
                class="secondary"
                onClick={() => setRules([...rules(), { weekday: 1, start: "09:00", end: "17:00" }])}
              >
                {t("availability.add")}
              </button>
              <button type="submit" disabled={busy()}>
                {busy() ? t("common.working") : t("availability.save")}
              </button>
            </div>
          </form>
        </Show>

        <form onSubmit={addOff} aria-labelledby="timeoff-heading">
          <h2 id="timeoff-heading">{t("availability.timeOff")}</h2>
          <p class="zone">{t("common.timesIn", { zone: zoneLabel(zone) })}</p>
          <div class="row">
            <div>
              <label for="off-from">{t("availability.offFrom")}</label>
              <input
                id="off-from"
                type="datetime-local"
                value={offFrom()}
                onInput={(e) => setOffFrom(e.currentTarget.value)}
              />
            </div>
            <div>
              <label for="off-to">{t("availability.offTo")}</label>
              <input
                id="off-to"
                type="datetime-local"
                value={offTo()}
                onInput={(e) => setOffTo(e.currentTarget.value)}
              />
            </div>
          </div>
          <label for="off-reason">{t("availability.offReason")}</label>
          <input
            id="off-reason"
            type="text"
            maxlength={200}
            value={offReason()}
            onInput={(e) => setOffReason(e.currentTarget.value)}
          />
          <Show when={offLocalError()}>
            <p class="field-error" role="alert">
              {t("availability.offInvalid")}
            </p>
          </Show>
          <ErrorAlert error={offError()} />
          <button type="submit">{t("availability.addOff")}</button>
          <Show when={(timeOff() ?? []).length > 0} fallback={<p class="muted">{t("availability.noOff")}</p>}>
            <ul>
              <For each={timeOff() ?? []}>
                {(o) => (
                  <li>
                    {formatDateTime(o.startsAt, locale(), zone)} – {formatDateTime(o.endsAt, locale(), zone)}
                    <Show when={o.reason}> · {o.reason}</Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </form>
      </Show>
    </>
  );
};

export default AvailabilityPage;
