/**
 * The cell loop of an authorization matrix (the API's and the FHIR one): every route × actor ×
 * own/other variant is requested through `app.request()`, its status compared with the expected
 * one, its body scanned for data the actor must not see and for password hashes. Mismatches and
 * leaks are collected, the figures reported, then both lists are asserted empty.
 */
import { expect } from "vitest";
import { reportFigures } from "./reliability-support.js";
import { ACTORS, type ActorKey, type BookedConsultation, leaksIn, type World } from "./reliability-world.js";

export type MatrixVariant = "own" | "other";
/** One status for the actor, or one for their own resource and one for another's. */
export type MatrixCell = number | { own: number; other: number };
export interface MatrixRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Content type of the body (defaults to the matrix's `contentType`). */
  contentType?: string;
  headers?: Record<string, string>;
}
export interface MatrixRow {
  cells: Record<ActorKey, MatrixCell>;
  build(w: World, actor: ActorKey, variant: MatrixVariant): Promise<MatrixRequest> | MatrixRequest;
  /** Runs after the request (routes that end the caller's other sessions give the world new ones). */
  after?(w: World, actor: ActorKey): Promise<void>;
}
/** The same status for every caller, anonymous included. */
export const everyone = (status: number): Record<ActorKey, MatrixCell> =>
  Object.fromEntries(ACTORS.map((a) => [a, status])) as Record<ActorKey, MatrixCell>;
/** The same status for every signed-in caller, 401 anonymously. */
export const signedIn = (status: number): Record<ActorKey, MatrixCell> => ({ ...everyone(status), anonymous: 401 });
/** The caller's own consultation (or record) answers `ok`; another's is 404 (existence is not revealed). */
export const ownOnly = (ok: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: { own: ok, other: 404 },
  patientB: { own: ok, other: 404 },
  doctorX: { own: ok, other: 404 },
  doctorY: { own: ok, other: 404 },
  admin: ok,
});

/** The patient whose consultation counts as the caller's own (or another's) for this variant. */
export function patientFor(actor: ActorKey, variant: MatrixVariant): "patientA" | "patientB" {
  const mine = actor === "patientB" || actor === "doctorY" ? "patientB" : "patientA";
  return variant === "own" ? mine : mine === "patientA" ? "patientB" : "patientA";
}
/** Doctor X sees patient A, doctor Y patient B. */
export function doctorFor(actor: ActorKey, variant: MatrixVariant): "doctorX" | "doctorY" {
  return patientFor(actor, variant) === "patientA" ? "doctorX" : "doctorY";
}
/** A fresh consultation that is the caller's own (or another's). */
export const consultationFor = (w: World, actor: ActorKey, variant: MatrixVariant): Promise<BookedConsultation> =>
  w.book(patientFor(actor, variant));

/**
 * The matrix covers the app's route table exactly: every route has a row, and every row a route
 * (`anticipated` rows may wait for their route).
 */
export function expectRowForEveryRoute(
  routes: string[],
  rows: Record<string, MatrixRow>,
  options: { atLeast: number; anticipated?: ReadonlySet<string> },
): void {
  expect(routes.length).toBeGreaterThan(options.atLeast);
  expect(
    routes.filter((k) => !(k in rows)),
    "routes without a row in the matrix",
  ).toEqual([]);
  expect(
    Object.keys(rows).filter((k) => !routes.includes(k) && !options.anticipated?.has(k)),
    "matrix rows whose route is gone",
  ).toEqual([]);
}

export interface MatrixResponse {
  route: string;
  actor: ActorKey;
  variant: MatrixVariant;
  /** "<route> as <actor>/<variant>", for assertion messages. */
  label: string;
  status: number;
  text: string;
}

export async function runAuthorizationMatrix(
  world: World,
  options: {
    /** Name under which the figures are reported. */
    suite: string;
    routes: string[];
    cases: Record<string, MatrixRow | undefined>;
    /** Content type of request bodies unless a row says otherwise. */
    contentType: string;
    /** What `actor` must never see in a response of `route`. */
    forbidden: (route: string, actor: ActorKey) => string[];
    /** Per-response checks of the suite (error shape...). */
    check: (response: MatrixResponse) => void;
  },
): Promise<void> {
  const cells: Array<{ label: string; expected: number; status: number }> = [];
  const leaks: string[] = [];
  const routes = new Set<string>();
  for (const route of options.routes) {
    const rc = options.cases[route];
    if (!rc) continue; // the suite reports routes without a row
    for (const actor of ACTORS) {
      const cell = rc.cells[actor];
      for (const variant of (typeof cell === "number" ? ["own"] : ["own", "other"]) as MatrixVariant[]) {
        const expected = typeof cell === "number" ? cell : cell[variant];
        const built = await rc.build(world, actor, variant);
        const token = actor === "anonymous" ? undefined : await world.freshToken(actor);
        const res = await world.app.request(built.path, {
          method: built.method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(built.body !== undefined ? { "content-type": built.contentType ?? options.contentType } : {}),
            ...built.headers,
          },
          body: built.body === undefined ? undefined : JSON.stringify(built.body),
        });
        const text = await res.text();
        // Routes that end the caller's other sessions give the world new ones.
        await rc.after?.(world, actor);
        const label = `${route} as ${actor}/${variant}`;
        routes.add(route);
        cells.push({ label, expected, status: res.status });
        options.check({ route, actor, variant, label, status: res.status, text });
        const found = leaksIn(
          text,
          options.forbidden(route, actor),
          `${built.path} ${JSON.stringify(built.body ?? "")}`,
        );
        for (const f of found) leaks.push(`${label}: ${f}`);
        expect(text, "no password hash ever leaves").not.toMatch(/scrypt\$|password_?hash/i);
      }
    }
  }
  const wrong = cells
    .filter((c) => c.status !== c.expected)
    .map((c) => `${c.label}: expected ${c.expected}, got ${c.status}`);
  reportFigures(options.suite, {
    routes: routes.size,
    cells: cells.length,
    mismatches: wrong.length,
    leaks: leaks.length,
  });
  expect(wrong).toEqual([]);
  expect(leaks).toEqual([]);
}
