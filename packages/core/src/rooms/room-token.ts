/**
 * Room tokens: the credential inside a shareable consult-room URL. A compact HS256 JWT naming the
 * consultation and the role, and nothing personal. The signing key is derived from
 * HEALTHFLOW_SECRET so the raw secret never signs anything directly and other uses of it cannot
 * collide with this one.
 */
import { createHash, randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

export type RoomRole = "doctor" | "patient";

export interface RoomClaims {
  consultationId: string;
  role: RoomRole;
  tokenId: string;
  /** The consultation's link generation when issued; revoking bumps it (migration 0003). */
  generation: number;
}

const ISSUER = "healthflow";
const AUDIENCE = "healthflow-room";

function keyOf(secret: string): Uint8Array {
  return createHash("sha256").update(`healthflow/room-token/v1:${secret}`).digest();
}

/**
 * No `exp`: a link's validity is the consultation's window as it is when the link is used, so a
 * link issued before a reschedule keeps working for the new time (room.ts checks the window, the
 * status and the generation against the row).
 */
export async function signRoomToken(
  secret: string,
  claims: { consultationId: string; role: RoomRole; generation: number },
  now: Date,
  /**
   * A chosen token id instead of a random one: the same inputs then give the same token (HS256 is
   * deterministic), so a calendar feed that carries room links keeps its ETag between polls.
   */
  tokenIdOf?: string,
): Promise<{ token: string; tokenId: string }> {
  const tokenId = tokenIdOf ?? randomBytes(12).toString("base64url");
  const token = await new SignJWT({ c: claims.consultationId, r: claims.role, g: claims.generation })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(tokenId)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(keyOf(secret));
  return { token, tokenId };
}

export type VerifyResult = { ok: true; claims: RoomClaims } | { ok: false; reason: "invalid" | "expired" };

/** Checks signature, issuer, audience, expiry and claim shapes. Never throws on a bad token. */
export async function verifyRoomToken(secret: string, token: string, now: Date): Promise<VerifyResult> {
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, reason: "invalid" };
  }
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: now,
    });
    const { c, r, jti, g = 0 } = payload as { c?: unknown; r?: unknown; jti?: unknown; g?: unknown };
    if (
      typeof c !== "string" ||
      typeof g !== "number" ||
      !Number.isSafeInteger(g) ||
      !/^[0-9a-f-]{36}$/.test(c) ||
      (r !== "doctor" && r !== "patient") ||
      typeof jti !== "string"
    ) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, claims: { consultationId: c, role: r, tokenId: jti, generation: g } };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
