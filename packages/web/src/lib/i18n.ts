/**
 * Brazilian Portuguese by default, English on request; the choice is remembered in localStorage.
 * A key missing in the chosen language falls back to the other language, then to the key itself,
 * so a forgotten translation shows up as text rather than as a blank control.
 */
import { createSignal } from "solid-js";
import { ApiError } from "./api";
import { en, type MessageKey, ptBR } from "./messages";
import { formatDateTime, viewerZone } from "./time";

export type Locale = "pt-BR" | "en";
export const LOCALES: Locale[] = ["pt-BR", "en"];
const DEFAULT_LOCALE: Locale = "pt-BR";
const STORAGE_KEY = "healthflow.lang";

type Dictionary = Partial<Record<MessageKey, string>>;
const dictionaries: Record<Locale, Dictionary> = { "pt-BR": ptBR, en };

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function storedLocale(): Locale {
  const saved = storage()?.getItem(STORAGE_KEY);
  return saved === "en" || saved === "pt-BR" ? saved : DEFAULT_LOCALE;
}

const [locale, setLocaleSignal] = createSignal<Locale>(storedLocale());

export { locale };

export function setLocale(next: Locale): void {
  storage()?.setItem(STORAGE_KEY, next);
  if (typeof document !== "undefined") document.documentElement.lang = next;
  setLocaleSignal(next);
}

/** Pure lookup with fallbacks and `{name}` placeholders; exported for tests. */
export function translate(
  lang: Locale,
  key: string,
  params?: Record<string, string | number>,
  dicts: Record<Locale, Dictionary> = dictionaries,
): string {
  const other: Locale = lang === "en" ? "pt-BR" : "en";
  const template = dicts[lang][key as MessageKey] ?? dicts[other][key as MessageKey] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale(), key, params);
}

function hasMessage(key: string): boolean {
  return key in dictionaries[DEFAULT_LOCALE];
}

/**
 * A failed request in words. Known codes have their own sentence (`error.slot_taken`); otherwise the
 * status class decides; the server's own message is the last resort (it is in English).
 */
export function describeError(err: unknown, lang: Locale = locale()): string {
  if (!(err instanceof ApiError)) return translate(lang, "error.unexpected");
  const detailed = transitionRefusal(err, lang);
  if (detailed) return detailed;
  const byCode = `error.${err.code}`;
  if (hasMessage(byCode)) return translate(lang, byCode, scalarDetails(err.details));
  if (err.status === 0) return translate(lang, "error.network");
  const byStatus = `error.status.${err.status}`;
  if (hasMessage(byStatus)) return translate(lang, byStatus);
  if (err.status >= 500) return translate(lang, "error.server");
  return err.message || translate(lang, "error.unexpected");
}

/** The numbers and words in an error's details, for sentences such as "at most {horizonDays} days". */
function scalarDetails(details: unknown): Record<string, string | number> | undefined {
  if (!details || typeof details !== "object" || Array.isArray(details)) return undefined;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(details)) if (typeof v === "string" || typeof v === "number") out[k] = v;
  return out;
}

/** A refused status change, explained by the rule that refused it (the API says which in details). */
function transitionRefusal(err: ApiError, lang: Locale): string | null {
  if (err.code !== "too_early" && err.code !== "invalid_transition") return null;
  const d = (err.details ?? {}) as {
    opensAt?: unknown;
    needs?: unknown;
    to?: unknown;
    from?: unknown;
    startsAt?: unknown;
  };
  const at = (iso: string) => formatDateTime(iso, lang, viewerZone());
  if (err.code === "too_early" && typeof d.opensAt === "string") {
    return translate(lang, "error.too_early_at", { when: at(d.opensAt) });
  }
  if (d.needs === "in_progress") return translate(lang, "error.needs_start");
  if (d.to === "no_show" && typeof d.startsAt === "string") {
    return translate(lang, "error.no_show_before_start", { when: at(d.startsAt) });
  }
  if (typeof d.from === "string" && hasMessage(`status.${d.from}`)) {
    return translate(lang, "error.transition_from", { status: translate(lang, `status.${d.from}`).toLowerCase() });
  }
  return null;
}
