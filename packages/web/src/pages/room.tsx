/**
 * The consult room. The link's token is the credential: the page asks the API for the room, shows
 * a countdown while it is not yet open (425 `room_not_open`), then loads Jitsi's `external_api.js`
 * from the room's domain and mounts the call. The doctor admits the patient from the lobby; leaving
 * the call returns to the dashboard (the doctor is offered to complete the consultation there).
 */
import { A, useNavigate, useParams } from "@solidjs/router";
import {
  type Component,
  createEffect,
  createResource,
  createSignal,
  For,
  Match,
  on,
  onCleanup,
  Show,
  Switch,
} from "solid-js";
import { Loading, Notice, PageTitle } from "../components/ui";
import { ApiError, api } from "../lib/api";
import type { Room } from "../lib/contract";
import { describeError, locale, t } from "../lib/i18n";
import { type JitsiApi, loadJitsiScript, PUBLIC_DEMO_DOMAIN } from "../lib/jitsi";
import { jitsiLang, notOpenYet } from "../lib/room";
import { formatDateTime, formatDayLong, formatTime, formatWait, viewerZone, zoneLabel } from "../lib/time";

const RoomPage: Component = () => {
  const params = useParams<{ token: string }>();
  const navigate = useNavigate();
  const zone = viewerZone();
  const [room, { refetch }] = createResource(
    () => params.token,
    (token) => api.room(token),
  );
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(tick));

  const waiting = () => (room.error ? notOpenYet(room.error) : null);
  const remaining = () => {
    const w = waiting();
    return w ? Date.parse(w.opensAt) - now() : 0;
  };
  // When the countdown reaches zero, ask again (the server decides, not the clock here).
  createEffect(
    on(remaining, (ms, prev) => {
      if (waiting() && ms <= 0 && (prev === undefined || prev > 0)) void refetch();
    }),
  );

  const title = (c: Room["consultation"]) =>
    t("room.title", {
      doctor: c.doctor.name,
      patient: c.patient.name,
      when: `${formatDateTime(c.startsAt, locale(), zone)}–${formatTime(c.endsAt, locale(), zone)}`,
    });

  return (
    <Switch>
      <Match when={room.loading}>
        <Loading />
      </Match>
      <Match when={waiting()}>
        {(w) => (
          <section class="room">
            <PageTitle>{w().consultation ? title(w().consultation!) : t("room.waitingTitle")}</PageTitle>
            <div class="alert alert-info" role="status">
              <p>
                {t("room.notYetOpen", {
                  date: formatDayLong(w().opensAt, locale(), zone),
                  time: formatTime(w().opensAt, locale(), zone),
                })}
              </p>
              <p class="countdown" aria-live="off">
                <span class="muted">{t("room.opensIn")} </span>
                <strong data-testid="countdown">{formatWait(remaining(), locale())}</strong>
              </p>
            </div>
            <p class="zone">{t("common.timesIn", { zone: zoneLabel(zone) })}</p>
            <div id="jitsi-container" class="jitsi-container placeholder" aria-hidden="true" />
          </section>
        )}
      </Match>
      <Match when={room.error}>
        <section class="narrow">
          <PageTitle>{t("room.unavailableTitle")}</PageTitle>
          <div class="alert alert-error" role="alert">
            <p>{roomErrorText(room.error)}</p>
          </div>
          <p>
            <A href="/">{t("nav.backHome")}</A>
          </p>
        </section>
      </Match>
      <Match when={room()}>
        {(r) => (
          <OpenRoom
            room={r()}
            title={title(r().consultation)}
            onLeave={(id, role, called) =>
              navigate(role === "doctor" ? (called ? `/agenda?after=${id}` : "/agenda") : "/")
            }
          />
        )}
      </Match>
    </Switch>
  );
};

function roomErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t("room.invalidLink");
    if (err.status === 410) return t("room.closed");
    if (err.status === 404) return t("room.notFound");
  }
  return describeError(err);
}

const OpenRoom: Component<{
  room: Room;
  title: string;
  onLeave: (consultationId: string, role: Room["role"], called: boolean) => void;
}> = (props) => {
  let container!: HTMLElement;
  let jitsi: JitsiApi | undefined;
  const [status, setStatus] = createSignal<"loading" | "ready" | "failed">("loading");
  // Whether a call happened: only then is the doctor asked, on leaving, to complete the consultation.
  const [joined, setJoined] = createSignal(false);
  const [knocking, setKnocking] = createSignal<{ id: string; name: string }[]>([]);
  const [answerError, setAnswerError] = createSignal(false);
  const isDoctor = () => props.room.role === "doctor";
  const displayName = () => (isDoctor() ? props.room.consultation.doctor.name : props.room.consultation.patient.name);

  const mount = async () => {
    setStatus("loading");
    jitsi?.dispose();
    jitsi = undefined;
    container.replaceChildren();
    try {
      const JitsiMeetExternalAPI = await loadJitsiScript(props.room.jitsi.domain);
      jitsi = new JitsiMeetExternalAPI(props.room.jitsi.domain, {
        roomName: props.room.jitsi.roomName,
        jwt: props.room.jitsi.jwt,
        parentNode: container,
        width: "100%",
        height: "100%",
        lang: jitsiLang(locale()),
        userInfo: { displayName: displayName() },
        configOverwrite: {
          disableDeepLinking: true,
          prejoinConfig: { enabled: true },
        },
      });
      jitsi.addListener("knockingParticipant", (payload: { participant?: { id?: string; name?: string } }) => {
        const p = payload?.participant;
        if (!p?.id) return;
        setKnocking((list) => (list.some((k) => k.id === p.id) ? list : [...list, { id: p.id!, name: p.name ?? "" }]));
      });
      jitsi.addListener("videoConferenceJoined", () => setJoined(true));
      jitsi.addListener("readyToClose", () => props.onLeave(props.room.consultation.id, props.room.role, true));
      setStatus("ready");
    } catch {
      setStatus("failed");
    }
  };
  createEffect(
    on(
      () => props.room.jitsi.domain,
      () => void mount(),
    ),
  );
  onCleanup(() => jitsi?.dispose());

  const answer = (id: string, approved: boolean) => {
    setAnswerError(false);
    try {
      jitsi?.executeCommand("answerKnockingParticipant", id, approved);
      setKnocking((list) => list.filter((k) => k.id !== id));
    } catch {
      setAnswerError(true);
    }
  };

  return (
    <section class="room">
      <PageTitle>{props.title}</PageTitle>
      <p class="zone">{t("common.timesIn", { zone: zoneLabel(viewerZone()) })}</p>
      <Show when={props.room.jitsi.domain === PUBLIC_DEMO_DOMAIN}>
        <Notice tone="warning">{t("room.publicDemo")}</Notice>
      </Show>
      <Show when={isDoctor() && knocking().length > 0}>
        <div class="alert alert-info lobby" role="status" aria-live="polite">
          <For each={knocking()}>
            {(k) => (
              <div class="knock">
                <p>{t("room.knocking", { name: k.name || t("room.someone") })}</p>
                <div class="actions">
                  <button type="button" onClick={() => answer(k.id, true)}>
                    {t("room.admit", { name: k.name || t("room.someone") })}
                  </button>
                  <button type="button" class="secondary" onClick={() => answer(k.id, false)}>
                    {t("room.deny")}
                  </button>
                </div>
              </div>
            )}
          </For>
          <Show when={answerError()}>
            <p>{t("error.unexpected")}</p>
          </Show>
        </div>
      </Show>
      <Show when={status() === "failed"}>
        <div class="alert alert-error" role="alert">
          <p>{t("room.scriptFailed", { domain: props.room.jitsi.domain })}</p>
          <button type="button" onClick={() => void mount()}>
            {t("common.retry")}
          </button>
        </div>
      </Show>
      <Show when={status() === "loading"}>
        <Loading label={t("room.connecting")} />
      </Show>
      <section
        id="jitsi-container"
        ref={container}
        class="jitsi-container"
        data-status={status()}
        aria-label={t("room.videoRegion")}
      />
      <p>
        <A href={isDoctor() ? (joined() ? `/agenda?after=${props.room.consultation.id}` : "/agenda") : "/"}>
          {t("room.leave")}
        </A>
      </p>
    </section>
  );
};

export default RoomPage;
