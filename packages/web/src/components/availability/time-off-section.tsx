/**
 * A doctor's time off: entered in the viewer's local time (sent as UTC), listed with a remove
 * button each. Adding time off over booked consultations lists them, with a way to move each one.
 */
import { A } from "@solidjs/router";
import { type Component, createResource, createSignal, For, Show } from "solid-js";
import { api } from "../../lib/api";
import type { Consultation } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { addDays, formatDateTime, fromLocalInput, viewerZone, zoneLabel } from "../../lib/time";
import { ErrorAlert, Notice } from "../ui";

export const TimeOffSection: Component<{ doctorId: string }> = (props) => {
  const zone = viewerZone();
  const [offFrom, setOffFrom] = createSignal("");
  const [offTo, setOffTo] = createSignal("");
  const [offReason, setOffReason] = createSignal("");
  const [offError, setOffError] = createSignal<unknown>();
  const [offLocalError, setOffLocalError] = createSignal(false);
  const [clashes, setClashes] = createSignal<Consultation[]>([]);
  const [done, setDone] = createSignal<string>();
  const [timeOff, { refetch }] = createResource(
    () => props.doctorId,
    (id) => api.listTimeOff(id, new Date().toISOString(), addDays(new Date(), 366).toISOString()),
  );
  const when = (o: { startsAt: string; endsAt: string }) =>
    `${formatDateTime(o.startsAt, locale(), zone)} – ${formatDateTime(o.endsAt, locale(), zone)}`;

  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    setOffError(undefined);
    setDone(undefined);
    setClashes([]);
    const startsAt = fromLocalInput(offFrom());
    const endsAt = fromLocalInput(offTo());
    if (!startsAt || !endsAt || endsAt <= startsAt) {
      setOffLocalError(true);
      return;
    }
    setOffLocalError(false);
    try {
      await api.addTimeOff(props.doctorId, { startsAt, endsAt, reason: offReason().trim() || undefined });
      setOffFrom("");
      setOffTo("");
      setOffReason("");
      setDone(t("availability.offAdded"));
      // Booked consultations are not moved by the server: list them so the doctor can.
      const booked = await api.listConsultations({
        from: startsAt,
        to: endsAt,
        doctorId: props.doctorId,
        status: "scheduled,in_progress",
      });
      setClashes(booked);
      await refetch();
    } catch (err) {
      setOffError(err);
    }
  };

  const remove = async (id: string) => {
    setOffError(undefined);
    setDone(undefined);
    try {
      await api.deleteTimeOff(props.doctorId, id);
      setDone(t("availability.offRemoved"));
      await refetch();
    } catch (err) {
      setOffError(err);
    }
  };

  return (
    <form onSubmit={add} aria-labelledby="timeoff-heading">
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
          <input id="off-to" type="datetime-local" value={offTo()} onInput={(e) => setOffTo(e.currentTarget.value)} />
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
      <Show when={done()}>
        <Notice tone="success">{done()}</Notice>
      </Show>
      <Show when={clashes().length > 0}>
        <div class="alert alert-warning" role="alert">
          <p>{t("availability.offClashes")}</p>
          <ul>
            <For each={clashes()}>
              {(c) => (
                <li>
                  {formatDateTime(c.startsAt, locale(), zone)} · {c.patient.name}{" "}
                  <A href={`/book?reschedule=${c.id}&doctor=${c.doctorId}`}>{t("consultation.reschedule")}</A>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
      <button type="submit">{t("availability.addOff")}</button>
      <Show when={(timeOff() ?? []).length > 0} fallback={<p class="muted">{t("availability.noOff")}</p>}>
        <ul class="time-off-list">
          <For each={timeOff() ?? []}>
            {(o) => (
              <li>
                <span>
                  {when(o)}
                  <Show when={o.reason}> · {o.reason}</Show>
                </span>{" "}
                <button type="button" class="secondary" onClick={() => remove(o.id)}>
                  {t("availability.offDelete", { when: when(o) })}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </form>
  );
};
