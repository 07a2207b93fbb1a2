/**
 * The embedded database's folder holds password hashes, clinical notes (in the write-ahead log
 * too) and the signing key: it is owner-only (0700) and nothing in it is readable by the group or
 * others. PGlite writes its files through Node's `fs` with the process umask, so an embedded
 * server also runs with umask 077: WAL segments created later are owner-only from the start.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Creates `dir` (and parents) if needed, then makes it and everything in it owner-only. */
export function makeOwnerOnly(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir);
}

/** Future files of this process: no bits for group and others (an embedded server owns its data). */
export function ownerOnlyUmask(): void {
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    // worker threads may not change the umask; the folder itself stays 0700
  }
}

function tighten(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else if (st.mode & 0o077) {
    chmodSync(path, st.mode & 0o700);
  }
}
