/**
 * One server per embedded data folder. PGlite is a single-process database: a second server on the
 * same folder would answer ready while both write their own copy, and what one of them wrote is
 * lost when they stop. So the embedded mode takes an exclusive lock file in the folder, holding the
 * owner's pid; a second process stops with a one-line message naming the folder and that pid. A
 * lock whose pid is no longer running (a crash, SIGKILL) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

export const LOCK_FILE = "healthflow.lock";

export class DataDirBusy extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dir} is in use by another HealthFlow process (pid ${pid}). ` +
        "Stop that process, or set HEALTHFLOW_DATA_DIR to another folder.",
    );
    this.name = "DataDirBusy";
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still running.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ownerOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the folder's lock for this process, or throws `DataDirBusy`. Returns the release function
 * (also run on process exit).
 */
export function lockDataDir(dir: string, pid: number = process.pid): () => void {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      const release = () => {
        process.off("exit", release);
        if (ownerOf(file) === pid) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      };
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = ownerOf(file);
      if (owner !== null && owner !== pid && running(owner)) throw new DataDirBusy(folder, owner);
      // Stale (its process is gone) or unreadable: take it over.
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first; the next attempt decides
      }
    }
  }
  const owner = ownerOf(file);
  throw new DataDirBusy(folder, owner ?? 0);
}
