import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, fieldErrors, onUnauthorized, request, roomPath } from "./api";

type Call = { url: string; init: RequestInit };
let calls: Call[];

function answer(status: number, body?: unknown, raw?: string) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(raw ?? (body === undefined ? null : JSON.stringify(body)), {
        status,
        headers: { "content-type": raw ? "text/html" : "application/json" },
      });
    }),
  );
}

beforeEach(() => {
  calls = [];
});
afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(undefined);
});

describe("request", () => {
  it("sends JSON with the session cookie and returns the body", async () => {
    answer(201, { consultation: { id: "c1" } });
    const c = await api.book({ doctorId: "d1", startsAt: "2026-12-01T12:00:00Z", reason: "dor" });
    expect(c).toEqual({ id: "c1" });
    expect(calls[0]!.url).toBe("/api/consultations");
    expect(calls[0]!.init.method).toBe("POST");
    expect(calls[0]!.init.credentials).toBe("same-origin");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      doctorId: "d1",
      startsAt: "2026-12-01T12:00:00Z",
      reason: "dor",
    });
  });

  it("builds query strings without empty values and escapes path ids", async () => {
    answer(200, { slots: [] });
    await api.slots("a/b", "2026-12-01T00:00:00.000Z", "2026-12-15T00:00:00.000Z");
    expect(calls[0]!.url).toBe(
      "/api/doctors/a%2Fb/slots?from=2026-12-01T00%3A00%3A00.000Z&to=2026-12-15T00%3A00%3A00.000Z",
    );
    answer(200, { consultations: [], nextCursor: null });
    await api.listConsultations({ doctorId: undefined, status: "scheduled" });
    expect(calls[1]!.url).toBe("/api/consultations?status=scheduled");
  });

  it("maps the error body to an ApiError", async () => {
    answer(409, { error: { code: "slot_taken", message: "That slot was just taken.", details: { startsAt: "x" } } });
    const err = await api.book({ doctorId: "d", startsAt: "2026-12-01T12:00:00Z" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 409,
      code: "slot_taken",
      message: "That slot was just taken.",
      details: { startsAt: "x" },
    });
  });

  it("copes with a non-JSON error page (a proxy's 502)", async () => {
    answer(502, undefined, "<html>Bad gateway</html>");
    const err = await request("GET", "/api/doctors").catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: "http_502" });
  });

  it("reports an unreachable server as status 0", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    const err = await request("GET", "/api/doctors").catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: "network" });
  });

  it("returns undefined for 204", async () => {
    answer(204);
    await expect(api.logout()).resolves.toBeUndefined();
  });
});

describe("401 handling", () => {
  it("tells the app about an expired session", async () => {
    const seen: ApiError[] = [];
    onUnauthorized((e) => seen.push(e));
    answer(401, { error: { code: "unauthenticated", message: "Sign in to continue." } });
    await expect(api.listDoctors()).rejects.toMatchObject({ status: 401 });
    expect(seen.map((e) => e.code)).toEqual(["unauthenticated"]);
  });

  it("does not for sign-in, the session probe or room tokens", async () => {
    const seen: ApiError[] = [];
    onUnauthorized((e) => seen.push(e));
    answer(401, { error: { code: "invalid_credentials", message: "Wrong." } });
    await expect(api.login({ email: "a@b.co", password: "x" })).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(api.room("tok")).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual([]);
  });

  it("me() asks for the session without an error status when there is none", async () => {
    answer(200, { user: null });
    await expect(api.me()).resolves.toBeNull();
    expect(new URL(calls.at(-1)!.url, "http://x").pathname).toBe("/api/auth/session");
  });

  it("me() still throws for other failures", async () => {
    answer(503, { error: { code: "starting", message: "starting" } });
    await expect(api.me()).rejects.toMatchObject({ status: 503 });
  });
});

describe("helpers", () => {
  it("reads 400 field details", () => {
    const err = new ApiError(400, "invalid_request", "bad", [
      { path: ["email"], message: "Invalid email" },
      { path: ["email"], message: "second" },
      { path: "doctor.timezone", message: "not an IANA time zone" },
    ]);
    expect(fieldErrors(err)).toEqual({ email: "Invalid email", "doctor.timezone": "not an IANA time zone" });
    expect(fieldErrors(new Error("x"))).toEqual({});
  });

  it("turns a room URL on the public origin into an in-app path", () => {
    expect(roomPath("https://clinic.example/room/abc.def")).toBe("/room/abc.def");
    expect(roomPath("/room/xyz")).toBe("/room/xyz");
  });
});
