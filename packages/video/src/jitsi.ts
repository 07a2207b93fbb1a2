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
  /** Defaults to "jitsi", Jitsi's own default for JWT_ACCEPTED_AUDIENCES. */
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
        // Prosody's token plugins read these as strings.
        moderator: String(isDoctor),
        affiliation: isDoctor ? "owner" : "member",
        lobby_bypass: String(isDoctor),
      },
    },
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(settings.appId)
    .setAudience(settings.audience ?? "jitsi")
    .setSubject(settings.domain)
    .setNotBefore(Math.floor(window.opensAt.getTime() / 1000))
    .setExpirationTime(Math.floor(window.closesAt.getTime() / 1000))
    .sign(new TextEncoder().encode(settings.appSecret));
  return { domain: settings.domain, roomName, jwt };
}
