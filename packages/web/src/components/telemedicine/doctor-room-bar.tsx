/**
 * In the doctor's room: whether the patient is waiting, and a button to start the consultation
 * (status `in_progress`), which admits the patient's page to the call.
 */
import { type Component, createSignal, onCleanup, Show } from "solid-js";
import { api } from "../../lib/api";
import type { Room, RoomStatus } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatTime, viewerZone } from "../../lib/time";
import { ErrorAlert } from "../ui";

export const DoctorRoomBar: Component<{ room: Room; token: string }> = (props) => {
  const zone = viewerZone();
  const [status, setStatus] = createSignal<RoomStatus | undefined>(props.room.progress);
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  const poll = setInterval(() => api.roomStatus(props.token).then(setStatus, () => undefined), 3000);
  onCleanup(() => clearInterval(poll));

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const c = await api.updateConsultation(props.room.consultation.id, { status: "in_progress" });
      setStatus((s) => (s ? { ...s, status: c.status, startedAt: c.startedAt ?? null } : s));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show when={status() && status()!.status === "scheduled"}>
      <div class="alert alert-info" role="status" aria-live="polite">
        <p>
          {status()!.checkedInAt
            ? t("tele.patientWaiting", {
                name: props.room.consultation.patient.name,
                time: formatTime(status()!.checkedInAt!, locale(), zone),
              })
            : t("tele.patientNotYet", { name: props.room.consultation.patient.name })}
        </p>
        <ErrorAlert error={error()} />
        <button type="button" onClick={() => void start()} disabled={busy()}>
          {t("tele.startInRoom")}
        </button>
      </div>
    </Show>
  );
};
