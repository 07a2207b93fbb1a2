/**
 * The waiting room on the doctor's agenda: patients whose room is open now, "waiting since 14:52"
 * once they have checked in, and a button to start. Live through server-sent events
 * (`GET /api/agenda/events`); where the stream cannot be opened it falls back to polling
 * `GET /api/agenda/waiting` every 3 seconds. On Lambda the stream sends one snapshot and the
 * browser's EventSource reconnects after 3 seconds, which is polling by another name.
 */
import { useNavigate } from "@solidjs/router";
import { type Component, createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import { agendaEventsUrl, api, roomPath } from "../../lib/api";
import type { WaitingEntry, WaitingRoom } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatTime, viewerZone } from "../../lib/time";
import { ErrorAlert } from "../ui";

const POLL_MS = 3000;

export const WaitingRoomPanel: Component<{ doctorId?: string; onChange?: () => void }> = (props) => {
  const zone = viewerZone();
  const navigate = useNavigate();
  const [room, setRoom] = createSignal<WaitingRoom>();
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal<string>();

  createEffect(
    on(
      () => props.doctorId,
      (doctorId) => {
        let source: EventSource | undefined;
        let poll: ReturnType<typeof setInterval> | undefined;
        const startPolling = () => {
          if (poll) return;
          const fetchOnce = () => api.waitingRoom(doctorId).then(setRoom, () => undefined);
          void fetchOnce();
          poll = setInterval(fetchOnce, POLL_MS);
        };
        if (typeof EventSource === "function") {
          source = new EventSource(agendaEventsUrl(doctorId));
          source.addEventListener("waiting", (e) => setRoom(JSON.parse((e as MessageEvent<string>).data)));
          source.onerror = () => {
            if (source?.readyState === EventSource.CLOSED) startPolling();
          };
        } else startPolling();
        onCleanup(() => {
          source?.close();
          if (poll) clearInterval(poll);
        });
      },
    ),
  );

  const open = async (c: WaitingEntry, start: boolean) => {
    setBusy(c.consultationId);
    setError(undefined);
    try {
      if (start) await api.updateConsultation(c.consultationId, { status: "in_progress" });
      props.onChange?.();
      const link = await api.roomLink(c.consultationId, "doctor");
      navigate(roomPath(link.url));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Show when={(room()?.consultations.length ?? 0) > 0}>
      <section class="waiting-room" aria-labelledby="waiting-heading">
        <h2 id="waiting-heading">{t("tele.agendaTitle")}</h2>
        <p class="muted">{t("tele.live")}</p>
        <ErrorAlert error={error()} />
        <ul aria-live="polite">
          <For each={room()!.consultations}>
            {(c) => (
              <li class="waiting-entry" data-consultation={c.consultationId}>
                <span>
                  <strong>{c.patient.name}</strong> · {formatTime(c.startsAt, locale(), zone)}–
                  {formatTime(c.endsAt, locale(), zone)} ·{" "}
                  <span class="waiting-status">
                    {c.status === "in_progress"
                      ? t("tele.inProgress")
                      : c.checkedInAt
                        ? t("tele.waitingSince", { time: formatTime(c.checkedInAt, locale(), zone) })
                        : t("tele.notCheckedIn")}
                  </span>
                </span>
                <button
                  type="button"
                  disabled={busy() === c.consultationId}
                  onClick={() => void open(c, c.status === "scheduled")}
                >
                  {c.status === "scheduled"
                    ? t("tele.start", { name: c.patient.name })
                    : t("tele.openRoom", { name: c.patient.name })}
                </button>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
};
