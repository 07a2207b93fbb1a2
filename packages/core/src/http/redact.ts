/**
 * Bearer secrets that travel in URLs (room links today; calendar feeds, e-mail verification,
 * password reset and invitations tomorrow) must never reach a log line: whoever reads the logs
 * could open the room. Every request log goes through `redactUrlForLog`; a route that puts a
 * secret in its path adds a pattern to SECRET_PATHS, one that takes one in the query string names
 * the parameter in SECRET_QUERY_PARAMS (both are read on every call, so adding is enough).
 */

/** Paths whose matching group is a secret: the group is replaced by `[redacted]`. */
export const SECRET_PATHS: RegExp[] = [
  /^\/api\/rooms\/([^/?#]+)/, // the room service: GET /api/rooms/<token>
  /^\/room\/([^/?#]+)/, // the web app's room page
  /^\/cal\/([^/?#]+?)(?:\.ics)?(?:\/|$)/, // calendar feeds (/cal/<token>.ics), also with anything after
];

/** Query parameters that carry a secret wherever they appear (`?token=`, reset and invite links). */
export const SECRET_QUERY_PARAMS = new Set(["token", "code", "key", "secret", "signature", "access_token"]);

export const REDACTED = "[redacted]";

/** A path (and query, if any) safe to log. */
export function redactUrlForLog(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf("?");
  let path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  const query = q >= 0 ? pathAndQuery.slice(q + 1) : undefined;
  for (const pattern of SECRET_PATHS) {
    const m = pattern.exec(path);
    if (m?.[1] !== undefined && m.index === 0) {
      const start = m[0].indexOf(m[1]);
      path = path.slice(0, start) + REDACTED + path.slice(start + m[1].length);
    }
  }
  if (query === undefined) return path;
  const parts = query.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const name = decodeSafe(eq >= 0 ? pair.slice(0, eq) : pair).toLowerCase();
    return eq >= 0 && SECRET_QUERY_PARAMS.has(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
  });
  return `${path}?${parts.join("&")}`;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
