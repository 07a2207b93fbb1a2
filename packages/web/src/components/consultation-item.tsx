/**
 * One consultation with what the viewer may do to it. Patients reschedule, cancel and open the
 * room; doctors and admins also move it through its states and write notes. Every action reports
 * its failure in words next to the item, and the typed notes or cancel reason stay in the dialog.
 */
import { A, useLocation, useNavigate } from "@solidjs/router";
import { type Component, createSignal, Show } from "solid-js";
import { api, roomPath } from "../lib/api";
import { mayCancel, roomLinkAvailable, roomOpenable, staffTransitions } from "../lib/consultations";
import type { Consultation, ConsultationStatus } from "../lib/contract";
import { locale, t } from "../lib/i18n";
import { now } from "../lib/now";
import { user } from "../lib/session";
import { formatDateTime, formatDay, formatTime, viewerZone } from "../lib/time";
import { Dialog, ErrorAlert } from "./ui";

const statusKey = (s: ConsultationStatus) => `status.${s}` as const;

export const ConsultationItem: Component<{
  consultation: Consultation;
  onChange: (c: Consultation) => void;
  /** Show the date as well as the time (lists spanning several days). */
  withDate?: boolean;
  /** The agenda grid reschedules in place (pick a slot in the grid) instead of the booking page. */
  onReschedule?: () => void;
}> = (props) => {
  const navigate = useNavigate();
  const location = useLocation();
  const c = () => props.consultation;
  const staff = () => user()?.role === "doctor" || user()?.role === "admin";
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  const [cancelOpen, setCancelOpen] = createSignal(false);
  const [cancelReason, setCancelReason] = createSignal("");
  const [notesOpen, setNotesOpen] = createSignal(false);
  const [notes, setNotes] = createSignal(c().notes ?? "");
  const [dialogError, setDialogError] = createSignal<unknown>();
  const zone = viewerZone();
  const active = () => c().status === "scheduled" || c().status === "in_progress";
  const [revoked, setRevoked] = createSignal(false);
  const revokeLinks = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.revokeRoomLinks(c().id);
      setRevoked(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const upcoming = () => Date.parse(c().endsAt) > Date.now();

  const run = async (action: () => Promise<Consultation>, inDialog = false) => {
    setBusy(true);
    setError(undefined);
    setDialogError(undefined);
    try {
      props.onChange(await action());
      return true;
    } catch (err) {
      (inDialog ? setDialogError : setError)(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (status: ConsultationStatus) => run(() => api.updateConsultation(c().id, { status }));
  const openRoom = async () => {
    setError(undefined);
    try {
      const link = await api.roomLink(c().id);
      navigate(roomPath(link.url));
    } catch (err) {
      setError(err);
    }
  };
  const transitions = () => staffTransitions(c(), now());
  // The shareable room link: staff get the patient's (to send it to them), patients their own.
  const [link, setLink] = createSignal<string>();
  const [copied, setCopied] = createSignal<"ok" | "failed">();
  const linkFor = () => c().patient.name;
  const showLink = async () => {
    setError(undefined);
    setCopied(undefined);
    try {
      setLink((await api.roomLink(c().id, staff() ? "patient" : undefined)).url);
    } catch (err) {
      setError(err);
    }
  };
  // Mailed to the patient (their confirmation again, with the invite): staff send it, patients resend it to themselves.
  const [emailed, setEmailed] = createSignal(false);
  const emailLink = async () => {
    setError(undefined);
    setEmailed(false);
    try {
      await api.emailRoomLink(c().id);
      setEmailed(true);
    } catch (err) {
      setError(err);
    }
  };
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(link()!);
      setCopied("ok");
    } catch {
      setCopied("failed");
    }
  };
  const title = () => (user()?.role === "patient" ? `${c().doctor.name} · ${c().doctor.specialty}` : c().patient.name);

  return (
    <article class="consultation" aria-label={`${title()} ${formatTime(c().startsAt, locale(), zone)}`}>
      <div class="consultation-head">
        <p class="when">
          <Show when={props.withDate}>{formatDay(c().startsAt, locale(), zone)} · </Show>
          <time datetime={c().startsAt}>{formatTime(c().startsAt, locale(), zone)}</time>–
          <time datetime={c().endsAt}>{formatTime(c().endsAt, locale(), zone)}</time>
        </p>
        <span class={`badge badge-${c().status}`}>{t(statusKey(c().status))}</span>
      </div>
      <h3>{title()}</h3>
      <Show when={user()?.role === "admin"}>
        <p class="muted">{t("consultation.withDoctor", { name: c().doctor.name })}</p>
      </Show>
      <p>
        <span class="muted">{t("consultation.reason")}: </span>
        {c().reason || t("consultation.noReason")}
      </p>
      {/* In person or video (issue #13): an in-person one shows where, and has no room. */}
      <p class="mode">
        <span class="muted">{t("mode.label")}: </span>
        {t(c().mode === "in_person" ? "mode.in_person" : "mode.video")}
      </p>
      <Show when={c().mode === "in_person"}>
        <p class="address">
          <span class="muted">{t("mode.address")}: </span>
          {c().location ?? t("mode.addressUnknown")}
        </p>
      </Show>
      <Show when={c().status === "cancelled" && c().cancelReason}>
        <p class="muted">
          {t("consultation.cancelReason")}: {c().cancelReason}
        </p>
      </Show>
      <Show when={staff() && c().notes}>
        <p class="notes">
          <span class="muted">{t("consultation.notes")}: </span>
          {c().notes}
        </p>
      </Show>
      <Show when={staff() && transitions().startsFrom}>
        {(from) => (
          <p class="muted">{t("consultation.startsFrom", { when: formatDateTime(from(), locale(), zone) })}</p>
        )}
      </Show>
      <ErrorAlert error={error()} />
      <Show when={link()}>
        {(url) => (
          <div class="room-link">
            <label for={`link-${c().id}`}>{t("consultation.roomLinkFor", { name: linkFor() })}</label>
            <div class="copy-row">
              <input
                id={`link-${c().id}`}
                type="text"
                readonly
                value={url()}
                aria-describedby={`link-${c().id}-hint`}
              />
              <button type="button" class="secondary" onClick={copyLink}>
                {t("consultation.copyLink")}
              </button>
              <button type="button" class="secondary" onClick={emailLink}>
                {staff() ? t("consultation.emailLinkPatient", { name: linkFor() }) : t("consultation.emailLinkSelf")}
              </button>
            </div>
            <p id={`link-${c().id}-hint`} class="muted">
              {t("consultation.roomLinkHint")}
            </p>
            <Show when={copied()}>
              <p role="status">{copied() === "ok" ? t("consultation.copied") : t("consultation.copyFailed")}</p>
            </Show>
            <Show when={emailed()}>
              <p role="status">{t("consultation.emailed", { name: linkFor() })}</p>
            </Show>
          </div>
        )}
      </Show>
      <div class="actions">
        <Show when={roomOpenable(c(), now())}>
          <button type="button" onClick={openRoom}>
            {t("consultation.openRoom")}
          </button>
        </Show>
        {/* Only the changes the API accepts now (start with the room, no-show after the start). */}
        <Show when={staff() && transitions().start}>
          <button type="button" disabled={busy()} onClick={() => setStatus("in_progress")}>
            {t("consultation.start")}
          </button>
        </Show>
        <Show when={staff() && transitions().complete}>
          <button type="button" disabled={busy()} onClick={() => setStatus("completed")}>
            {t("consultation.complete")}
          </button>
        </Show>
        <Show when={staff() && transitions().noShow}>
          <button type="button" class="secondary" disabled={busy()} onClick={() => setStatus("no_show")}>
            {t("consultation.noShow")}
          </button>
        </Show>
        <Show when={roomLinkAvailable(c(), now())}>
          <button type="button" class="secondary" aria-expanded={!!link()} onClick={showLink}>
            {t("consultation.roomLink")}
          </button>
        </Show>
        <Show when={staff()}>
          <button type="button" class="secondary" onClick={() => setNotesOpen(true)}>
            {t("consultation.writeNotes")}
          </button>
        </Show>
        <Show when={active() && upcoming() && props.onReschedule}>
          <button type="button" class="secondary" onClick={() => props.onReschedule?.()}>
            {t("consultation.reschedule")}
          </button>
        </Show>
        <Show when={active() && upcoming() && !props.onReschedule}>
          <A
            class="button secondary"
            href={`/book?reschedule=${c().id}&doctor=${c().doctorId}&back=${encodeURIComponent(location.pathname + location.search)}`}
          >
            {t("consultation.reschedule")}
          </A>
        </Show>
        <Show when={mayCancel(c(), user()?.role)}>
          <button type="button" class="danger" onClick={() => setCancelOpen(true)}>
            {t("consultation.cancel")}
          </button>
        </Show>
        <Show when={staff()}>
          <A
            class="button secondary"
            href={`/patients/${c().patientId}/history?back=${encodeURIComponent(location.pathname + location.search)}`}
            aria-label={t("history.openFor", { name: c().patient.name })}
          >
            {t("history.open")}
          </A>
        </Show>
        <Show when={staff() && active() && upcoming() && c().mode !== "in_person"}>
          <button type="button" class="secondary" disabled={busy()} onClick={revokeLinks}>
            {t("consultation.revokeLinks")}
          </button>
        </Show>
        <Show when={revoked()}>
          <p role="status">{t("consultation.linksRevoked")}</p>
        </Show>
      </div>

      <Dialog open={cancelOpen()} title={t("consultation.cancelTitle")} onClose={() => setCancelOpen(false)}>
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run(() => api.cancelConsultation(c().id, cancelReason().trim() || undefined), true)) {
              setCancelOpen(false);
            }
          }}
        >
          <p>
            {t("consultation.cancelConfirm", {
              when: `${formatDay(c().startsAt, locale(), zone)} ${formatTime(c().startsAt, locale(), zone)}`,
            })}
          </p>
          <label for={`cancel-${c().id}`}>{t("consultation.cancelReasonLabel")}</label>
          <textarea
            id={`cancel-${c().id}`}
            value={cancelReason()}
            onInput={(e) => setCancelReason(e.currentTarget.value)}
          />
          <ErrorAlert error={dialogError()} />
          <div class="actions">
            <button type="submit" class="danger" disabled={busy()}>
              {t("consultation.cancelDo")}
            </button>
            <button type="button" class="secondary" onClick={() => setCancelOpen(false)}>
              {t("common.keep")}
            </button>
          </div>
        </form>
      </Dialog>

      <Dialog
        open={notesOpen()}
        title={t("consultation.notesTitle", { name: c().patient.name })}
        onClose={() => setNotesOpen(false)}
      >
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run(() => api.updateConsultation(c().id, { notes: notes() }), true)) setNotesOpen(false);
          }}
        >
          <label for={`notes-${c().id}`}>{t("consultation.notes")}</label>
          <textarea id={`notes-${c().id}`} rows={8} value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />
          <ErrorAlert error={dialogError()} />
          <div class="actions">
            <button type="submit" disabled={busy()}>
              {t("common.save")}
            </button>
            <button type="button" class="secondary" onClick={() => setNotesOpen(false)}>
              {t("common.close")}
            </button>
          </div>
        </form>
      </Dialog>
    </article>
  );
};
