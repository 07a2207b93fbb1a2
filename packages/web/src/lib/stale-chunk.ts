/**
 * A tab left open across a rebuild or redeploy asks for route chunks that no longer exist (the
 * server answers 404 since their names are content hashes), and the lazy route fails with "Failed
 * to fetch dynamically imported module". The cure is a fresh index.html: reload the page once.
 * Once: if the chunk still fails right after the reload, the error is real and is shown.
 */
const KEY = "healthflow.chunkReloadAt";
/** A second failure within this long of the reload is not a stale tab. */
const WINDOW_MS = 30_000;

interface Store {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function session(): Store | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Whether to reload for a failed chunk now; remembers that it did. Exported for tests. */
export function reloadOnce(store: Store | undefined = session(), now = Date.now()): boolean {
  if (!store) return false;
  const last = Number(store.getItem(KEY));
  if (Number.isFinite(last) && last > 0 && now - last < WINDOW_MS) return false;
  store.setItem(KEY, String(now));
  return true;
}

/** A chunk loaded: the next failure (a later redeploy) may reload again. */
export function chunkLoaded(store: Store | undefined = session()): void {
  store?.removeItem(KEY);
}

let target: string | undefined;

/**
 * Where the router is going. The URL changes only once the new screen's chunk has loaded, so a
 * reload would land on the old screen: the recovery opens the target instead.
 */
export function navigatingTo(path: string): void {
  target = path;
}

/** Wraps a route's dynamic import: on failure, reload once (at the target) and wait; else rethrow. */
export function recoverStaleChunk<T>(load: () => Promise<T>): () => Promise<T> {
  return () =>
    load().then(
      (mod) => {
        chunkLoaded();
        return mod;
      },
      (err) => {
        if (reloadOnce()) {
          if (target && target !== location.pathname + location.search) location.assign(target);
          else location.reload();
          return new Promise<T>(() => {});
        }
        throw err;
      },
    );
}
