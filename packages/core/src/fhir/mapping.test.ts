import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch } from "./appointment-input.js";
import { CRM_SYSTEM_BASE, crmIdentifier, parseCrm, parseSlotId, slotId } from "./mapping.js";
import { dateBounds, referenceId, token } from "./search.js";

describe("FHIR mapping helpers", () => {
  it("reads the state and number of a CRM however the clinic typed it", () => {
    expect(parseCrm("CRM/SP 123456")).toEqual({ state: "SP", number: "123456" });
    expect(parseCrm("CRM-RJ 52.123.456")).toEqual({ state: "RJ", number: "52123456" });
    expect(parseCrm("123456/am")).toEqual({ state: "AM", number: "123456" });
    expect(parseCrm("CRM 123456")).toBeNull(); // "CR" is no state
    expect(parseCrm("CRM/XX 1")).toBeNull();
    expect(crmIdentifier("CRM/AC 112233")).toMatchObject({ system: `${CRM_SYSTEM_BASE}/AC`, value: "112233" });
    expect(crmIdentifier("licence 42")).toMatchObject({ system: CRM_SYSTEM_BASE, value: "licence 42" });
  });

  it("slot ids round-trip and refuse impossible dates", () => {
    const doctor = "0b7c7a3e-2f5d-4c1e-9d8f-123456789abc";
    const start = new Date("2031-06-03T12:30:00Z");
    const id = slotId(doctor, start);
    expect(id).toBe(`${doctor}-203106031230`);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(parseSlotId(id)).toEqual({ doctorId: doctor, start });
    expect(parseSlotId(`${doctor}-203102301230`)).toBeNull();
    expect(parseSlotId(`${doctor}-2031060312`)).toBeNull();
    expect(parseSlotId("x-203106031230")).toBeNull();
  });

  it("date search prefixes give [from, to) bounds at the value's precision", () => {
    const at = (s: string) => new Date(s);
    expect(dateBounds(["2031-06-04"], "date")).toEqual({
      from: { at: at("2031-06-04T00:00:00Z"), inclusive: true },
      to: { at: at("2031-06-05T00:00:00Z"), inclusive: false },
    });
    expect(dateBounds(["gt2031-06"], "date").from).toEqual({ at: at("2031-07-01T00:00:00Z"), inclusive: true });
    expect(dateBounds(["le2031-06-04T10:00Z"], "date").to).toEqual({
      at: at("2031-06-04T10:01:00Z"),
      inclusive: false,
    });
    expect(dateBounds(["lt2031-06-04T10:00:00-03:00"], "date").to).toEqual({
      at: at("2031-06-04T13:00:00Z"),
      inclusive: false,
    });
    // the tighter bound wins
    expect(dateBounds(["ge2031-06-01", "ge2031-06-03", "lt2031-06-10", "lt2031-06-05"], "date")).toEqual({
      from: { at: at("2031-06-03T00:00:00Z"), inclusive: true },
      to: { at: at("2031-06-05T00:00:00Z"), inclusive: false },
    });
    for (const bad of [
      "2031-02-30",
      "tomorrow",
      "ne2031-06-01",
      "2031-06-01,2031-06-02",
      "1999-01-01",
      "2031-06-01T25:00Z",
    ]) {
      expect(() => dateBounds([bad], "date"), bad).toThrow();
    }
  });

  it("references and tokens", () => {
    expect(referenceId("Practitioner/abc", ["Practitioner"], "p")).toBe("abc");
    expect(referenceId("https://x.example/fhir/R4/Practitioner/abc", ["Practitioner"], "p")).toBe("abc");
    expect(referenceId("abc", ["Practitioner"], "p")).toBe("abc");
    expect(() => referenceId("Patient/abc", ["Practitioner"], "p")).toThrow();
    expect(token("http://s|v")).toEqual({ system: "http://s", code: "v" });
    expect(token("|v")).toEqual({ system: undefined, code: "v" });
    expect(token("v")).toEqual({ code: "v" });
  });

  it("JSON Patch and merge patch, without prototype tricks", () => {
    const doc = { resourceType: "Appointment", id: "1", status: "booked", participant: [{ a: 1 }] };
    expect(applyJsonPatch(doc, [{ op: "replace", path: "/status", value: "cancelled" }])).toMatchObject({
      status: "cancelled",
    });
    expect(applyJsonPatch(doc, [{ op: "add", path: "/participant/-", value: { a: 2 } }])).toMatchObject({
      participant: [{ a: 1 }, { a: 2 }],
    });
    expect(() => applyJsonPatch(doc, [{ op: "test", path: "/status", value: "x" }])).toThrow();
    expect(() => applyJsonPatch(doc, [{ op: "replace", path: "/__proto__/x", value: 1 }])).toThrow();
    expect(() => applyJsonPatch(doc, [{ op: "move", from: "/a", path: "/b" }])).toThrow();
    expect(doc.status).toBe("booked");
    expect(applyMergePatch(doc, { status: "cancelled", id: null, __proto__: { polluted: true } })).toEqual({
      resourceType: "Appointment",
      status: "cancelled",
      participant: [{ a: 1 }],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
