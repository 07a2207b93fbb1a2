import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./api";
import { describeError, storedLocale, translate } from "./i18n";
import { en, ptBR } from "./messages";

describe("translate", () => {
  const dicts = { "pt-BR": { "a.b": "olá {name}", "only.pt": "só pt" }, en: { "a.b": "hello {name}" } } as never;

  it("uses the chosen language and fills placeholders", () => {
    expect(translate("pt-BR", "a.b", { name: "Ana" }, dicts)).toBe("olá Ana");
    expect(translate("en", "a.b", { name: "Ana" }, dicts)).toBe("hello Ana");
  });

  it("falls back to the other language, then to the key", () => {
    expect(translate("en", "only.pt", undefined, dicts)).toBe("só pt");
    expect(translate("en", "nowhere", undefined, dicts)).toBe("nowhere");
  });

  it("leaves an unknown placeholder visible rather than blank", () => {
    expect(translate("pt-BR", "a.b", {}, dicts)).toBe("olá {name}");
  });

  it("has every Portuguese key in English and no empty sentence", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ptBR).sort());
    for (const [k, v] of [...Object.entries(ptBR), ...Object.entries(en)]) expect(v.trim(), k).not.toBe("");
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(ptBR) as (keyof typeof ptBR)[]) expect(names(en[key]), key).toEqual(names(ptBR[key]));
  });
});

describe("the remembered language", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is Brazilian Portuguese unless English was chosen", () => {
    const store = new Map<string, string>();
    vi.stubGlobal("localStorage", {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    });
    expect(storedLocale()).toBe("pt-BR");
    store.set("healthflow.lang", "en");
    expect(storedLocale()).toBe("en");
    store.set("healthflow.lang", "fr");
    expect(storedLocale()).toBe("pt-BR");
  });
});

describe("describeError", () => {
  it("explains known codes in words, in the chosen language", () => {
    const taken = new ApiError(409, "slot_taken", "Slot taken");
    expect(describeError(taken, "pt-BR")).toBe(ptBR["error.slot_taken"]);
    expect(describeError(taken, "en")).toBe(en["error.slot_taken"]);
  });

  it("falls back to the status class, then the server's message", () => {
    expect(describeError(new ApiError(403, "some_new_code", "nope"), "en")).toBe(en["error.status.403"]);
    expect(describeError(new ApiError(502, "http_502", "Bad Gateway"), "en")).toBe(en["error.server"]);
    expect(describeError(new ApiError(418, "teapot", "I am a teapot"), "en")).toBe("I am a teapot");
    expect(describeError(new ApiError(0, "network", "Failed to fetch"), "pt-BR")).toBe(ptBR["error.network"]);
    expect(describeError(new Error("boom"), "en")).toBe(en["error.unexpected"]);
  });
});

describe("the fair-booking and room-link errors (issue #11)", () => {
  it("are said in plain words in both languages, with the limits from the details", () => {
    const limit = new ApiError(422, "booking_limit", "x", { scope: "total", maxActive: 4, maxActivePerDoctor: 2 });
    expect(describeError(limit, "pt-BR")).toContain("até 4 no total e 2 com o(a) mesmo(a) médico(a)");
    expect(describeError(limit, "en")).toContain("4 in all and 2 with the same doctor");
    const far = new ApiError(422, "too_far_ahead", "x", { horizonDays: 90, latestStart: "2031-01-01T00:00:00Z" });
    expect(describeError(far, "pt-BR")).toContain("até 90 dias à frente");
    expect(describeError(far, "en")).toContain("at most 90 days ahead");
    expect(describeError(new ApiError(400, "invalid_duration", "x", { slotMinutes: 30 }), "en")).toContain(
      "one 30-minute slot",
    );
    for (const code of ["too_late", "link_revoked"]) {
      const err = new ApiError(code === "too_late" ? 409 : 410, code, "x");
      for (const lang of ["pt-BR", "en"] as const) {
        expect(describeError(err, lang)).toBe(translate(lang, `error.${code}`));
        expect(describeError(err, lang)).not.toMatch(/[{}]/);
      }
    }
  });
});

describe("a refused status change, explained by its rule", () => {
  const refused = (code: string, details: Record<string, string>) => new ApiError(409, code, "refused", details);
  it("too early: says from when", () => {
    const text = describeError(refused("too_early", { opensAt: "2026-12-01T12:45:00.000Z" }), "pt-BR");
    expect(text).toMatch(/^Ainda é cedo: a consulta pode ser iniciada a partir de /);
    expect(text).toContain("2026");
  });
  it("complete before start, no-show before the start, and a final state, each in its own words", () => {
    expect(
      describeError(refused("invalid_transition", { from: "scheduled", to: "completed", needs: "in_progress" }), "en"),
    ).toBe("Start the consultation before completing it.");
    expect(
      describeError(
        refused("invalid_transition", { from: "scheduled", to: "no_show", startsAt: "2026-12-01T13:00:00Z" }),
        "pt-BR",
      ),
    ).toMatch(/^A falta só pode ser registrada depois do início/);
    expect(describeError(refused("invalid_transition", { from: "completed", to: "cancelled" }), "pt-BR")).toMatch(
      /^Esta consulta está concluída/,
    );
    // Never the old catch-all "changed state; refresh" for these.
    expect(describeError(refused("invalid_transition", {}), "pt-BR")).not.toMatch(/já mudou de situação/);
  });
});
