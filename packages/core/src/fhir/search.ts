/**
 * FHIR search plumbing: parameter parsing (dates with prefixes, references, tokens, `_count`,
 * `_offset`) and `searchset` Bundles with `total` and `self`/`first`/`previous`/`next` links.
 * Paging is by offset (`_offset`, as Medplum and HAPI do), ordered by a stable key.
 */
import { Invalid } from "../errors.js";
import type { FhirResource } from "./mapping.js";

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;
const MAX_OFFSET = 100_000;

export interface SearchParamDef {
  name: string;
  type: "token" | "reference" | "date" | "string";
  documentation: string;
}

/** The request's search parameters: name → every value given (repeats are AND, commas OR). */
export type Params = Map<string, string[]>;

export function readParams(url: URL, known: SearchParamDef[], strict: boolean): Params {
  const allowed = new Set([...known.map((k) => k.name), "_count", "_offset", "_format"]);
  const params: Params = new Map();
  for (const [key, value] of url.searchParams) {
    if (!allowed.has(key)) {
      // The FHIR default is lenient (ignore, and leave it out of the self link); strict on request.
      if (strict) throw new Invalid("unknown_search_parameter", `Unknown search parameter: ${key}.`, [{ path: key }]);
      continue;
    }
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  return params;
}

export function single(params: Params, name: string): string | undefined {
  const values = params.get(name);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) throw new Invalid("invalid_search", `Give ${name} at most once.`, [{ path: name }]);
  return values[0];
}

export function paging(params: Params): { count: number; offset: number } {
  const number = (name: string, fallback: number, max: number) => {
    const v = single(params, name);
    if (v === undefined) return fallback;
    if (!/^\d{1,7}$/.test(v) || Number(v) > max) {
      throw new Invalid("invalid_search", `${name} must be an integer from 0 to ${max}.`, [{ path: name }]);
    }
    return Number(v);
  };
  return { count: number("_count", DEFAULT_COUNT, MAX_COUNT), offset: number("_offset", 0, MAX_OFFSET) };
}

/** A reference parameter: `Type/id`, an absolute URL ending so, or a bare id. */
export function referenceId(value: string, types: string[], name: string): string {
  const m = /^(?:(?:.*\/)?([A-Za-z]+)\/)?([A-Za-z0-9\-.]{1,64})$/.exec(value);
  if (!m || (m[1] && !types.includes(m[1]))) {
    throw new Invalid("invalid_search", `${name} must reference a ${types.join(" or ")}.`, [{ path: name }]);
  }
  return m[2]!;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface DateBound {
  at: Date;
  inclusive: boolean;
}

/**
 * Date search values against an instant (Appointment.start, Slot.start), with the prefixes eq (the
 * default), ge, gt, le, lt. A value is a range as wide as its precision (a day, a minute...): `eq`
 * matches inside it, `ge` from its start, `gt` from its end, `le` up to its end, `lt` before its start.
 * Dates without a time are UTC days.
 */
export function dateBounds(values: string[], name: string): { from?: DateBound; to?: DateBound } {
  let from: DateBound | undefined;
  let to: DateBound | undefined;
  const later = (a: DateBound | undefined, b: DateBound) =>
    !a || b.at > a.at || (b.at.getTime() === a.at.getTime() && !b.inclusive) ? b : a;
  const earlier = (a: DateBound | undefined, b: DateBound) =>
    !a || b.at < a.at || (b.at.getTime() === a.at.getTime() && !b.inclusive) ? b : a;
  for (const raw of values) {
    const m =
      /^(eq|ge|gt|le|lt)?(\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?)$/.exec(
        raw,
      );
    const range = m ? rangeOf(m[2]!) : null;
    if (!m || !range) {
      throw new Invalid(
        "invalid_search",
        `${name} must be one date or date-time, optionally prefixed by eq, ge, gt, le or lt (repeat the parameter for a range).`,
        [{ path: name }],
      );
    }
    const prefix = m[1] ?? "eq";
    if (prefix === "eq" || prefix === "ge") from = later(from, { at: range.start, inclusive: true });
    if (prefix === "gt") from = later(from, { at: range.end, inclusive: true });
    if (prefix === "eq" || prefix === "le") to = earlier(to, { at: range.end, inclusive: false });
    if (prefix === "lt") to = earlier(to, { at: range.start, inclusive: false });
  }
  return { from, to };
}

/** [start, end) of a FHIR date or dateTime at its precision. */
function rangeOf(value: string): { start: Date; end: Date } | null {
  const [datePart, timePart] = value.split("T");
  const [y, mo, d] = datePart!.split("-").map(Number);
  if (y! < 2000 || y! > 2200) return null;
  if (timePart === undefined) {
    const start = new Date(Date.UTC(y!, (mo ?? 1) - 1, d ?? 1));
    if (mo !== undefined && (start.getUTCMonth() !== mo - 1 || (d !== undefined && start.getUTCDate() !== d)))
      return null;
    const end =
      d !== undefined
        ? new Date(Date.UTC(y!, mo! - 1, d + 1))
        : mo !== undefined
          ? new Date(Date.UTC(y!, mo, 1))
          : new Date(Date.UTC(y! + 1, 0, 1));
    return { start, end };
  }
  const start = new Date(value);
  if (Number.isNaN(start.getTime())) return null;
  const [hh, mm] = timePart.split(":").map(Number);
  if (hh! > 23 || mm! > 59) return null;
  const hasSeconds = /^\d{2}:\d{2}:\d{2}/.test(timePart);
  const hasFraction = /^\d{2}:\d{2}:\d{2}\./.test(timePart);
  const step = hasFraction ? 1 : hasSeconds ? 1000 : 60_000;
  return { start, end: new Date(start.getTime() + step) };
}

/** A token value `system|code`, `|code` or `code`. */
export function token(value: string): { system?: string; code: string } {
  const i = value.indexOf("|");
  if (i < 0) return { code: value };
  return { system: value.slice(0, i) || undefined, code: value.slice(i + 1) };
}

export function searchset(
  base: string,
  type: string,
  params: Params,
  page: { count: number; offset: number },
  total: number,
  resources: FhirResource[],
): FhirResource {
  const link = (offset: number) => {
    const q = new URLSearchParams();
    for (const [k, vs] of params) if (k !== "_offset" && k !== "_count") for (const v of vs) q.append(k, v);
    q.set("_count", String(page.count));
    if (offset > 0) q.set("_offset", String(offset));
    return `${base}/${type}?${q}`;
  };
  const links = [
    { relation: "self", url: link(page.offset) },
    { relation: "first", url: link(0) },
  ];
  if (page.offset > 0) links.push({ relation: "previous", url: link(Math.max(0, page.offset - page.count)) });
  if (page.count > 0 && page.offset + resources.length < total) {
    links.push({ relation: "next", url: link(page.offset + page.count) });
  }
  return {
    resourceType: "Bundle",
    type: "searchset",
    total,
    link: links,
    // FHIR JSON has no empty arrays: no match, no `entry`.
    ...(resources.length > 0
      ? {
          entry: resources.map((resource) => ({
            fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
            resource,
            search: { mode: "match" },
          })),
        }
      : {}),
  };
}
