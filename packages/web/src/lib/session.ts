/**
 * Who is signed in, shared by every screen. `undefined` while the first "who am I" is in flight,
 * `null` when nobody is signed in.
 */
import { createSignal } from "solid-js";
import { api } from "./api";
import type { Role, User } from "./contract";

const [user, setUser] = createSignal<User | null | undefined>(undefined);

export { setUser, user };

/** Set when a request met a 401 mid-session, so sign-in can say why the user is there. */
const [sessionExpired, setSessionExpired] = createSignal(false);

export { sessionExpired, setSessionExpired };

export async function refreshSession(): Promise<void> {
  try {
    setUser(await api.me());
  } catch {
    // The server is unreachable: treat as signed out; the sign-in page shows the next failure.
    setUser(null);
  }
}

/** A one-shot message shown on the next screen ("Consultation booked"). */
const [flash, setFlash] = createSignal<string | undefined>(undefined);

export { flash, setFlash };

/** Where each role lands after signing in. */
export function homeOf(role: Role | undefined): string {
  if (role === "patient") return "/consultations";
  if (role === "doctor" || role === "admin") return "/agenda";
  return "/login";
}

/** Only in-app paths: an absolute or protocol-relative `next` would make sign-in an open redirect. */
export function safeNext(next: string | undefined): string | undefined {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : undefined;
}
