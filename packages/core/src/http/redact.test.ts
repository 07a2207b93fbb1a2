import { describe, expect, it } from "vitest";
import { REDACTED, redactUrlForLog, SECRET_PATHS } from "./redact.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJjIjoiMSJ9.c2lnbmF0dXJl";

describe("redactUrlForLog", () => {
  it("redacts the token-in-URL routes", () => {
    expect(redactUrlForLog(`/api/rooms/${TOKEN}`)).toBe(`/api/rooms/${REDACTED}`);
    expect(redactUrlForLog(`/room/${TOKEN}`)).toBe(`/room/${REDACTED}`);
    expect(redactUrlForLog(`/room/${TOKEN}/`)).toBe(`/room/${REDACTED}/`);
    expect(redactUrlForLog("/cal/abcdef0123456789.ics")).toBe(`/cal/${REDACTED}.ics`);
    // Calendar feeds (issue 14): a real token's shape, without the suffix, with a trailing part or a query.
    const feed = "q0Zx-_Yk3lV9m2Nw8ePb1tRcHs7uJaLd4fGi6oKyE5A";
    expect(redactUrlForLog(`/cal/${feed}.ics`)).toBe(`/cal/${REDACTED}.ics`);
    expect(redactUrlForLog(`/cal/${feed}`)).toBe(`/cal/${REDACTED}`);
    expect(redactUrlForLog(`/cal/${feed}.ics/`)).toBe(`/cal/${REDACTED}.ics/`);
    expect(redactUrlForLog(`/cal/${feed}.ics/x/y`)).toBe(`/cal/${REDACTED}.ics/x/y`);
    expect(redactUrlForLog(`/cal/${feed}.ics?x=1`)).toBe(`/cal/${REDACTED}.ics?x=1`);
    expect(redactUrlForLog(`/cal/${feed}%2Eics`)).toBe(`/cal/${REDACTED}`);
    expect(redactUrlForLog(`/verify-email?token=${TOKEN}`)).toBe(`/verify-email?token=${REDACTED}`);
    expect(redactUrlForLog(`/reset-password?lang=pt&token=${TOKEN}`)).toBe(`/reset-password?lang=pt&token=${REDACTED}`);
    expect(redactUrlForLog(`/accept-invite?TOKEN=${TOKEN}&x=1`)).toBe(`/accept-invite?TOKEN=${REDACTED}&x=1`);
  });

  it("leaves other paths alone", () => {
    for (const p of [
      "/api/consultations/123",
      "/api/rooms",
      "/rooms/x",
      "/api/doctors?limit=5",
      "/",
      "/cal",
      "/api/me/calendar-feed",
    ]) {
      expect(redactUrlForLog(p)).toBe(p);
    }
  });

  it("a route added later only needs a pattern", () => {
    SECRET_PATHS.push(/^\/api\/share\/([^/]+)$/);
    try {
      expect(redactUrlForLog(`/api/share/${TOKEN}`)).toBe(`/api/share/${REDACTED}`);
    } finally {
      SECRET_PATHS.pop();
    }
  });
});
