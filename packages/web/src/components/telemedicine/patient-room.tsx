/**
 * The patient's side of a teleconsultation once the room is open to them (consent given): the
 * device check and "I'm ready" (check-in), the waiting room, the call once the doctor starts it,
 * and the end. The page says at every step what is happening; it asks the server every few
 * seconds (`GET /api/rooms/:token/status`), which works on every runtime.
 */
import { type Component, createSignal, type JSX, Match, onCleanup, Switch } from "solid-js";
import { api } from "../../lib/api";
import type { Room, RoomStatus } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatTime, viewerZone } from "../../lib/time";
import { Notice } from "../ui";
import { DeviceCheck } from "./device-check";

const POLL_MS = 2500;
const ENDED = new Set(["completed", "cancelled", "no_show"]);

type Step = "consent" | "device" | "waiting" | "call";

export const TeleSteps: Component<{ current: Step }> = (props) => {
  const steps: { id: Step; label: () => string }[] = [
    { id: "consent", label: () => t("tele.consentTitle") },
    { id: "device", label: () => t("tele.deviceTitle") },
    { id: "waiting", label: () => t("tele.waitingTitle") },
    { id: "call", label: () => t("room.videoRegion") },
  ];
  const index = () => steps.findIndex((s) => s.id === props.current);
  return (
    <ol class="tele-steps" aria-label={t("tele.stepsLabel")}>
      {steps.map((s, i) => (
        <li aria-current={i === index() ? "step" : undefined} classList={{ done: i < index(), current: i === index() }}>
          {s.label()}
        </li>
      ))}
    </ol>
  );
};

export const PatientRoom: Component<{ room: Room; token: string; children: JSX.Element }> = (props) => {
  const zone = viewerZone();
  const [status, setStatus] = createSignal<RoomStatus>(
    props.room.progress ?? {
      status: props.room.consultation.status ?? "scheduled",
      checkedInAt: null,
      startedAt: null,
      completedAt: null,
      doctorOpenedAt: null,
    },
  );
  const poll = setInterval(() => {
    if (ENDED.has(status().status)) return;
    api.roomStatus(props.token).then(setStatus, () => undefined);
  }, POLL_MS);
  onCleanup(() => clearInterval(poll));

  const checkIn = async () => {
    const { checkedInAt } = await api.checkIn(props.room.consultation.id, props.token);
    setStatus((s) => ({ ...s, checkedInAt }));
  };

  const step = (): Step => (!status().checkedInAt ? "device" : status().status === "in_progress" ? "call" : "waiting");

  return (
    <Switch>
      <Match when={ENDED.has(status().status)}>
        <Notice tone="success">
          <p data-testid="tele-status">{t("tele.ended")}</p>
        </Notice>
      </Match>
      <Match when={step() === "device"}>
        <TeleSteps current="device" />
        <DeviceCheck onReady={checkIn} />
      </Match>
      <Match when={step() === "waiting"}>
        <TeleSteps current="waiting" />
        <div class="alert alert-info" role="status" aria-live="polite">
          <p data-testid="tele-status">
            {status().doctorOpenedAt
              ? t("tele.doctorInRoom")
              : t("tele.waiting", { time: formatTime(status().checkedInAt!, locale(), zone) })}
          </p>
        </div>
      </Match>
      <Match when={step() === "call"}>
        <TeleSteps current="call" />
        <div class="alert alert-info" role="status" aria-live="polite">
          <p data-testid="tele-status">{t("tele.started")}</p>
        </div>
        {props.children}
      </Match>
    </Switch>
  );
};
