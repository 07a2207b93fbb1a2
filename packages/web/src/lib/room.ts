/** Reading room answers: kept out of the page so the rules can be unit-tested. */
import { ApiError } from "./api";
import type { RoomNotOpen } from "./contract";

export interface NotOpen {
  opensAt: string;
  /** Present when the server includes it; lets the waiting screen name the consultation. */
  consultation?: RoomNotOpen["consultation"];
}

/** A 425 `room_not_open` answer, read into what the waiting screen needs; null for anything else. */
export function notOpenYet(err: unknown): NotOpen | null {
  if (!(err instanceof ApiError) || err.status !== 425) return null;
  const d = (err.details ?? {}) as Partial<RoomNotOpen> & { opensAt?: unknown };
  return typeof d.opensAt === "string" ? { opensAt: d.opensAt, consultation: d.consultation } : null;
}

/** Jitsi's own language codes differ from BCP 47 for Brazilian Portuguese. */
export const jitsiLang = (lang: string) => (lang === "pt-BR" ? "ptBR" : "en");
