/**
 * Booking and rescheduling: pick a specialty or doctor (components/book/doctor-picker), see free
 * slots grouped by day in the viewer's zone (components/book/slot-picker), pick one, confirm with a
 * reason. When the slot went to someone else meanwhile (409),
 * the page says so in words and offers the next free ones; the typed reason stays.
 */
import { useNavigate, useSearchParams } from "@solidjs/router";
import { type Component, createEffect, createResource, createSignal, For, Show } from "solid-js";
import { DoctorPicker } from "../components/book/doctor-picker";
import { FirstAvailable } from "../components/book/first-available";
import { effectiveMode, ModeChoice } from "../components/book/mode-choice";
import { PatientCombobox } from "../components/book/patient-combobox";
import { SlotPicker } from "../components/book/slot-picker";
import { ErrorAlert, Notice, PageTitle } from "../components/ui";
import { ApiError, api } from "../lib/api";
import { nextFree } from "../lib/consultations";
import type { ConsultationMode, Slot } from "../lib/contract";
import { locale, t } from "../lib/i18n";
import { safeNext, setFlash, user } from "../lib/session";
import { addDays, formatDateTime, formatDayLong, formatTime, startOfDay, viewerZone, zoneLabel } from "../lib/time";

const WINDOW_DAYS = 14;

const Book: Component = () => {
  const [params] = useSearchParams<{
    reschedule?: string;
    doctor?: string;
    patient?: string;
    back?: string;
    /** A free slot picked in the agenda grid (its `startsAt`): the form opens on it. */
    at?: string;
  }>();
  const navigate = useNavigate();
  const zone = viewerZone();
  const isAdmin = () => user()?.role === "admin";
  // Search (issue #13): doctors book their own patients too, found through the patient search.
  const isStaff = () => isAdmin() || user()?.role === "doctor";
  const rescheduleId = () => params.reschedule;

  const [doctors] = createResource(() => api.listDoctors());
  // Patients are told the fair-booking limits up front, not only when a booking is refused.
  const [rules] = createResource(
    () => (user()?.role === "patient" ? true : undefined),
    () => api.bookingRules(),
  );
  const [original] = createResource(rescheduleId, (id) => api.getConsultation(id));

  const [specialty, setSpecialty] = createSignal("");
  const [doctorId, setDoctorId] = createSignal(
    params.doctor ?? (user()?.role === "doctor" && !params.reschedule ? user()!.id : ""),
  );
  const [patientId, setPatientId] = createSignal(params.patient ?? "");
  const picked = params.at && !Number.isNaN(Date.parse(params.at)) ? params.at : undefined;
  const [windowStart, setWindowStart] = createSignal(
    picked ? new Date(Math.max(Date.now(), startOfDay(new Date(picked)).getTime())) : new Date(),
  );
  const [slot, setSlot] = createSignal<Slot>();
  const [reason, setReason] = createSignal("");
  const [error, setError] = createSignal<unknown>();
  const [alternatives, setAlternatives] = createSignal<Slot[]>([]);
  const [busy, setBusy] = createSignal(false);
  // In person or video (issue #13): chosen per slot; a reschedule keeps the consultation's own.
  const [mode, setMode] = createSignal<ConsultationMode>("video");
  const keptMode = () => (rescheduleId() ? original()?.mode : undefined);
  const bookMode = () => effectiveMode(mode(), slot()?.modes ?? []);

  const doctor = () => (doctors() ?? []).find((d) => d.id === doctorId());

  const [slots, { refetch: refetchSlots }] = createResource(
    () =>
      doctorId() && (!rescheduleId() || keptMode())
        ? { id: doctorId(), from: windowStart(), mode: keptMode() }
        : undefined,
    ({ id, from, mode }) => api.slotsInMode(id, from.toISOString(), addDays(from, WINDOW_DAYS).toISOString(), mode),
  );

  // The agenda grid's slot, once the doctor's slots are here (still free, or the page says so).
  let pickedApplied = false;
  createEffect(() => {
    const list = slots();
    if (!picked || pickedApplied || !list) return;
    pickedApplied = true;
    const match = list.find((s) => Date.parse(s.startsAt) === Date.parse(picked));
    if (match) setSlot(match);
    else {
      setError(new ApiError(409, "slot_taken", "slot taken"));
      setAlternatives(nextFree(list, picked));
    }
  });

  const pickDoctor = (id: string) => {
    setDoctorId(id);
    setSlot(undefined);
    setAlternatives([]);
  };

  const confirm = async (e: SubmitEvent) => {
    e.preventDefault();
    const chosen = slot();
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    setAlternatives([]);
    try {
      if (rescheduleId()) {
        await api.updateConsultation(rescheduleId()!, { startsAt: chosen.startsAt });
        setFlash(t("book.rescheduled", { when: formatDateTime(chosen.startsAt, locale(), zone) }));
      } else {
        await api.book({
          doctorId: doctorId(),
          startsAt: chosen.startsAt,
          reason: reason().trim() || undefined,
          patientId: isStaff() ? patientId() || undefined : undefined,
          mode: bookMode(),
        });
        setFlash(t("book.booked", { when: formatDateTime(chosen.startsAt, locale(), zone) }));
      }
      // Back where the user came from (the agenda at the day it showed), else their home list.
      navigate(safeNext(params.back) ?? (user()?.role === "patient" ? "/consultations" : "/agenda"));
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && (err.code === "slot_taken" || err.status === 409 || err.status === 422)) {
        // The list on screen is stale: reload it and offer what is really free now.
        setSlot(undefined);
        await refetchSlots();
        setAlternatives(nextFree(slots() ?? [], chosen.startsAt));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>{rescheduleId() ? t("book.rescheduleTitle") : t("book.title")}</PageTitle>
      <p class="zone">{t("common.timesIn", { zone: zoneLabel(zone) })}</p>
      <Show when={rules()}>{(r) => <p class="zone">{t("book.limits", { ...r() })}</p>}</Show>
      <Show when={original()}>
        {(c) => (
          <Notice>
            {t("book.rescheduling", {
              doctor: c().doctor.name,
              when: formatDateTime(c().startsAt, locale(), zone),
            })}
          </Notice>
        )}
      </Show>
      <ErrorAlert error={doctors.error} />

      <form onSubmit={confirm} class="book-form">
        <Show when={isStaff() && !rescheduleId()}>
          <PatientCombobox id="book-patient" onChange={(p) => setPatientId(p?.id ?? "")} />
        </Show>

        <Show when={!rescheduleId() && user()?.role !== "doctor"}>
          <DoctorPicker
            doctors={doctors() ?? []}
            specialty={specialty()}
            doctorId={doctorId()}
            onSpecialty={setSpecialty}
            onDoctor={pickDoctor}
          />
        </Show>

        <Show when={!rescheduleId() && user()?.role !== "doctor"}>
          <Show when={specialty()}>
            <FirstAvailable
              specialty={specialty()}
              zone={zone}
              onPick={(s) => {
                pickDoctor(s.doctorId);
                setSlot({ startsAt: s.startsAt, endsAt: s.endsAt, modes: s.modes });
                setError(undefined);
                // The confirmation comes next: take the keyboard there.
                queueMicrotask(() => document.getElementById("confirm-heading")?.focus());
              }}
            />
          </Show>
        </Show>

        <Show when={doctorId()}>
          <SlotPicker
            slots={slots()}
            loading={slots.loading}
            error={slots.error}
            zone={zone}
            selected={slot()}
            canGoEarlier={windowStart().getTime() > Date.now()}
            onEarlier={() => {
              const prev = addDays(windowStart(), -WINDOW_DAYS);
              setWindowStart(prev.getTime() < Date.now() ? new Date() : prev);
            }}
            onLater={() => setWindowStart(addDays(windowStart(), WINDOW_DAYS))}
            onPick={(s) => {
              setSlot(s);
              setAlternatives([]);
            }}
          />
        </Show>

        <ErrorAlert error={error()}>
          <Show when={alternatives().length > 0}>
            <p>{t("book.nextFree")}</p>
            <ul class="inline-list">
              <For each={alternatives()}>
                {(s) => (
                  <li>
                    <button
                      type="button"
                      class="slot"
                      onClick={() => {
                        setSlot(s);
                        setError(undefined);
                        setAlternatives([]);
                      }}
                    >
                      {formatDateTime(s.startsAt, locale(), zone)}
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </ErrorAlert>

        <Show when={slot()}>
          {(s) => (
            <section class="confirm" aria-labelledby="confirm-heading">
              <h2 id="confirm-heading" tabindex="-1">
                {t("book.confirmTitle")}
              </h2>
              <p>
                {t("book.summary", {
                  doctor: doctor()?.name ?? original()?.doctor.name ?? "",
                  when: `${formatDayLong(s().startsAt, locale(), zone)}, ${formatTime(s().startsAt, locale(), zone)}`,
                })}
              </p>
              <Show
                when={!rescheduleId()}
                fallback={
                  <p class="muted">
                    {t("mode.rescheduleKeeps", {
                      mode: t(keptMode() === "in_person" ? "mode.in_person" : "mode.video").toLowerCase(),
                    })}
                  </p>
                }
              >
                <ModeChoice offered={s().modes} value={bookMode()} onChange={setMode} />
              </Show>
              <Show when={!rescheduleId()}>
                <label for="book-reason">{t("book.reason")}</label>
                <textarea
                  id="book-reason"
                  maxlength={1000}
                  value={reason()}
                  onInput={(e) => setReason(e.currentTarget.value)}
                />
              </Show>
              <button type="submit" disabled={busy() || (isStaff() && !rescheduleId() && !patientId())}>
                {busy() ? t("common.working") : rescheduleId() ? t("book.confirmReschedule") : t("book.confirm")}
              </button>
              <Show when={isStaff() && !rescheduleId() && !patientId()}>
                <p class="muted">{t("book.needPatient")}</p>
              </Show>
            </section>
          )}
        </Show>
      </form>
    </>
  );
};

export default Book;
