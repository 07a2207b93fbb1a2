/**
 * Password hashing with scrypt (node:crypto; no native add-on to ship to Lambda or a distroless
 * image). The parameters travel inside the stored string, so they can be raised later and old
 * hashes upgraded on the next successful sign-in (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const N = 1 << 15;
const r = 8;
const p = 1;
const KEY_LENGTH = 32;
// scrypt needs 128 * N * r bytes; leave headroom over Node's 32 MiB default.
const MAX_MEM = 128 * N * r * 2;

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { N: n, r: rr, p: pp, maxmem: 128 * n * rr * 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Constant-time check; a malformed stored hash simply fails. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, rr, pp] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!(n > 1 && rr > 0 && pp > 0) || 128 * n * rr > MAX_MEM * 4) return false;
  const salt = Buffer.from(parts[4] as string, "base64url");
  const expected = Buffer.from(parts[5] as string, "base64url");
  let actual: Buffer;
  try {
    actual = await derive(password, salt, n, rr, pp);
  } catch {
    // Parameters scrypt refuses (N not a power of two, over the memory limit): a corrupt row must
    // fail the sign-in like a wrong password, not become a 500.
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`scrypt$${N}$${r}$${p}$`);
}

/**
 * A hash of a random password, computed once: verifying against it when the email is unknown makes
 * "no such user" take as long as "wrong password", so sign-in does not reveal who has an account.
 */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString("base64url"));
  return dummy;
}

/** A strong random password for generated accounts (first admin, demo users). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
