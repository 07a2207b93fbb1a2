/**
 * Jitsi Meet credentials for a room. With a self-hosted Jitsi using JWT auth (JITSI_APP_ID +
 * JITSI_APP_SECRET), each participant gets an HS256 token whose claims Prosody checks: the doctor
 * is the room's owner and moderator and bypasses the lobby; the patient is a member and knocks.
 * Without them (the public meet.jit.si demo), no token: the room name alone protects the room,
 * which is why it is 128 random bits.
 */
import { SignJWT } from "jose";

export interface JitsiSettings {
  domain: string;
  appId?: string;
  appSecret?: string;
  /**
   * Defaults to the app id: deployed stages use the app id as issuer and audience alike, and
   * video:deploy gives Prosody the same value in JWT_ACCEPTED_AUDIENCES (docs/kubernetes.md).
   */
  audience?: string;
}

export interface JitsiParticipant {
  id: string;
  name: string;
  role: "doctor" | "patient";
}

export interface JitsiRoomConfig {
  domain: string;
  roomName: string;
  jwt?: string;
}

export async function jitsiRoomConfig(
  settings: JitsiSettings,
  roomName: string,
  participant: JitsiParticipant,
  window: { opensAt: Date; closesAt: Date },
): Promise<JitsiRoomConfig> {
  if (!settings.appId || !settings.appSecret) return { domain: settings.domain, roomName };
  const isDoctor = participant.role === "doctor";
  const jwt = await new SignJWT({
    room: roomName,
    context: {
      user: {
        id: participant.id,
        name: participant.name,
        moderator: String(isDoctor),
        // token_affiliation (jitsi-contrib prosody plugins) reads this string: owner or member.
        affiliation: isDoctor ? "owner" : "member",
        // token_lobby_bypass compares with the boolean true (`context['lobby_bypass'] == true` in
        // its Lua): the string "true" would leave the doctor knocking at their own lobby.
        lobby_bypass: isDoctor,
      },
    },
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(settings.appId)
    .setAudience(settings.audience ?? settings.appId)
    .setSubject(settings.domain)
    .setNotBefore(Math.floor(window.opensAt.getTime() / 1000))
    .setExpirationTime(Math.floor(window.closesAt.getTime() / 1000))
    .sign(new TextEncoder().encode(settings.appSecret));
  return { domain: settings.domain, roomName, jwt };
}
