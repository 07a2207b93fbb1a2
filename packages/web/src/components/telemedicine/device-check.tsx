/**
 * The device check before the waiting room: the browser's own camera and microphone
 * (getUserMedia), a live preview and a level meter (WebAudio), plain words for a refused
 * permission, a missing or busy device, then "I'm ready". The tracks are stopped when the check
 * ends, so the video call can take the devices.
 */
import { type Component, createSignal, onCleanup, Show } from "solid-js";
import { t } from "../../lib/i18n";
import { ErrorAlert } from "../ui";

type State = "idle" | "asking" | "ok" | "denied" | "missing" | "busy" | "unsupported";

/** What a getUserMedia failure means for the person in front of the screen. */
export function mediaErrorState(err: unknown): Exclude<State, "idle" | "asking" | "ok"> {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "missing";
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") return "busy";
  if (name === "TypeError") return "unsupported";
  return "denied"; // NotAllowedError, SecurityError, PermissionDeniedError
}

const MESSAGES = {
  denied: "tele.denied",
  missing: "tele.noDevice",
  busy: "tele.deviceBusy",
  unsupported: "tele.deviceUnsupported",
} as const;

export const DeviceCheck: Component<{ onReady: () => Promise<void> }> = (props) => {
  const [state, setState] = createSignal<State>("idle");
  const [level, setLevel] = createSignal(0);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let video!: HTMLVideoElement;
  let stream: MediaStream | undefined;
  let audio: AudioContext | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = undefined;
    void audio?.close().catch(() => undefined);
    audio = undefined;
  };
  onCleanup(stop);

  const start = async () => {
    stop();
    setLevel(0);
    if (!navigator.mediaDevices?.getUserMedia) {
      setState("unsupported");
      return;
    }
    setState("asking");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (err) {
      setState(mediaErrorState(err));
      return;
    }
    video.srcObject = stream;
    void video.play().catch(() => undefined);
    try {
      audio = new AudioContext();
      const analyser = audio.createAnalyser();
      analyser.fftSize = 1024;
      audio.createMediaStreamSource(stream).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      timer = setInterval(() => {
        analyser.getByteTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) sum += ((s - 128) / 128) ** 2;
        setLevel(Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 400)));
      }, 100);
    } catch {
      // No WebAudio: the preview still proves the camera; the meter stays at zero.
    }
    setState("ok");
  };

  const ready = async () => {
    setBusy(true);
    setError(undefined);
    try {
      stop();
      await props.onReady();
    } catch (err) {
      setError(err);
      void start();
    } finally {
      setBusy(false);
    }
  };

  const problem = () => {
    const s = state();
    return s === "denied" || s === "missing" || s === "busy" || s === "unsupported" ? s : undefined;
  };

  return (
    <section class="device-check" aria-labelledby="device-heading">
      <h2 id="device-heading">{t("tele.deviceTitle")}</h2>
      <p>{t("tele.deviceIntro")}</p>
      <Show when={problem()}>
        {(p) => (
          <div class="alert alert-error" role="alert" data-problem={p()}>
            <p>{t(MESSAGES[p()])}</p>
          </div>
        )}
      </Show>
      <Show when={state() === "asking"}>
        <p role="status">{t("tele.deviceChecking")}</p>
      </Show>
      <div class="device-preview" hidden={state() !== "ok"}>
        <video ref={video} muted playsinline autoplay aria-label={t("tele.preview")} />
        <div>
          <label for="mic-level">{t("tele.micLevel")}</label>
          <meter id="mic-level" min="0" max="100" low={10} high={90} optimum={50} value={level()} data-level={level()}>
            {level()}
          </meter>
        </div>
        <p role="status">{t("tele.deviceOk")}</p>
      </div>
      <ErrorAlert error={error()} />
      <div class="actions">
        <Show when={state() !== "ok"}>
          <button type="button" onClick={() => void start()} disabled={state() === "asking"}>
            {problem() ? t("common.retry") : t("tele.deviceStart")}
          </button>
        </Show>
        <Show when={state() === "ok"}>
          <button type="button" onClick={() => void ready()} disabled={busy()}>
            {busy() ? t("common.working") : t("tele.ready")}
          </button>
        </Show>
      </div>
    </section>
  );
};
