/**
 * Sessions and room tokens under attack: logout and expiry really revoke (every route, not just
 * /me), a token of one user never acts as another, and a room link cannot be replayed for another
 * consultation, another role, after its consultation closed, or after it expired. In-process
 * against PostgreSQL (TEST_DATABASE_URL), the app assembled as src/server.ts assembles it.
 */
import { createHash } from "node:crypto";
import { reportFigures } from "@healthflow/test-kit/reliability-support";
import { createWorld, NOW, type World } from "@healthflow/test-kit/reliability-world";
import { TEST_PASSWORD } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "../../src/served-modules.js";

const url = process.env.TEST_DATABASE_URL;
const HOUR = 3_600_000;
let checks = 0;

describe.skipIf(!url)("sessions and room tokens", () => {
  let w: World;

  beforeAll(async () => {
    w = await createWorld(url!, "sessions", { modules: servedModules });
  });
  afterAll(async () => {
    reportFigures("sessions", { checks });
    await w?.close();
  });

  async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
    const res = await w.app.request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    checks++;
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** Everything a signed-in patient can do, so "revoked" is checked on every door, not one. */
  async function patientDoors(token: string, consultationId: string) {
    const h = bearer(token);
    return [
      (await call("GET", "/api/auth/me", h)).status,
      (await call("GET", "/api/consultations", h)).status,
      (await call("GET", `/api/consultations/${consultationId}`, h)).status,
      (await call("GET", "/api/doctors", h)).status,
      (await call("POST", "/api/consultations", h, { doctorId: w.people.doctorX.user.id, startsAt: w.nextSlot() }))
        .status,
      (await call("POST", `/api/consultations/${consultationId}/room-link`, h)).status,
      (await call("POST", "/api/auth/logout", h)).status,
    ];
  }

  it("logout revokes the token on every route, and only that session", async () => {
    const c = await w.book("patientA");
    const token = await w.freshToken("patientA");
    const other = await w.freshToken("patientA");
    expect((await call("GET", "/api/auth/me", bearer(token))).status).toBe(200);
    expect((await call("POST", "/api/auth/logout", bearer(token))).status).toBe(204);
    expect(await patientDoors(token, c.id)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect((await call("GET", "/api/auth/me", bearer(other))).status).toBe(200);
    // the same token as a cookie is just as dead
    expect((await call("GET", "/api/auth/me", { cookie: `hf_session=${token}` })).status).toBe(401);
  });

  it("idle expiry and maximum lifetime revoke, and a clock turned back does not revive", async () => {
    const c = await w.book("patientA");
    const idle = await w.freshToken("patientA");
    try {
      w.clinic.clock.set(new Date(NOW.getTime() + 12 * HOUR + 60_000));
      expect(await patientDoors(idle, c.id)).toEqual([401, 401, 401, 401, 401, 401, 401]);
      w.clinic.clock.set(NOW);
      expect((await call("GET", "/api/auth/me", bearer(idle))).status).toBe(401);

      const busy = await w.freshToken("patientA");
      for (let h = 10; h < 168; h += 10) {
        w.clinic.clock.set(new Date(NOW.getTime() + h * HOUR));
        expect((await call("GET", "/api/auth/me", bearer(busy))).status, `at ${h} h`).toBe(200);
      }
      w.clinic.clock.set(new Date(NOW.getTime() + 168 * HOUR + 1000));
      expect((await call("GET", "/api/auth/me", bearer(busy))).status).toBe(401);
    } finally {
      w.clinic.clock.set(NOW);
    }
  });

  it("a token of one user never acts as another", async () => {
    const { people } = w;
    const cB = await w.book("patientB");
    const tokenA = await w.freshToken("patientA");
    const tokenB = await w.freshToken("patientB");
    // Bearer and cookie of two people: the bearer decides, and it is A, never B.
    const both = await call("GET", "/api/auth/me", { ...bearer(tokenA), cookie: `hf_session=${tokenB}` });
    expect(both.body.user.id).toBe(people.patientA.user.id);
    // Headers that name someone else change nothing.
    const spoof = await call("GET", "/api/auth/me", {
      ...bearer(tokenA),
      "x-user-id": people.patientB.user.id,
      "x-forwarded-user": people.patientB.user.email,
    });
    expect(spoof.body.user.id).toBe(people.patientA.user.id);
    // A's token on B's things.
    expect((await call("GET", `/api/consultations/${cB.id}`, bearer(tokenA))).status).toBe(404);
    expect((await call("POST", `/api/consultations/${cB.id}/cancel`, bearer(tokenA), {})).status).toBe(404);
    expect(
      (await call("PATCH", `/api/consultations/${cB.id}`, bearer(tokenA), { startsAt: w.nextSlot() })).status,
    ).toBe(404);
    expect((await call("POST", `/api/consultations/${cB.id}/room-link`, bearer(tokenA))).status).toBe(404);
    const forB = await call("POST", "/api/consultations", bearer(tokenA), {
      doctorId: people.doctorY.user.id,
      startsAt: w.nextSlot(),
      patientId: people.patientB.user.id,
    });
    expect(forB.status).toBe(403);
    // B's consultation is untouched.
    const row = await w.clinic.db
      .selectFrom("consultations")
      .select(["status", "patient_id"])
      .where("id", "=", cB.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "scheduled", patient_id: people.patientB.user.id });
    // Forgeries: one character changed, the stored hash presented as a token, a doctor's token with
    // a patient's name, and a disabled account's live token.
    const flipped = tokenA.slice(0, -1) + (tokenA.endsWith("A") ? "B" : "A");
    expect((await call("GET", "/api/auth/me", bearer(flipped))).status).toBe(401);
    expect(
      (await call("GET", "/api/auth/me", bearer(createHash("sha256").update(tokenA).digest("base64url")))).status,
    ).toBe(401);
    const login = await call(
      "POST",
      "/api/auth/login",
      {},
      { email: people.patientB.user.email, password: "not the password" },
    );
    expect(login.status).toBe(401);
    expect(login.body.token).toBeUndefined();
    const victim = await w.clinic.person("patient");
    await w.clinic.db.updateTable("users").set({ disabled_at: NOW }).where("id", "=", victim.user.id).execute();
    expect((await call("GET", "/api/auth/me", bearer(victim.token))).status).toBe(401);
    expect(
      (await call("POST", "/api/auth/login", {}, { email: victim.user.email, password: TEST_PASSWORD })).status,
    ).toBe(401);
  });

  describe("room tokens", () => {
    async function link(consultationId: string, token: string, body?: unknown) {
      const res = await call("POST", `/api/consultations/${consultationId}/room-link`, bearer(token), body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return decodeURIComponent(String(res.body.url).split("/room/")[1]!);
    }
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    const startOf = async (id: string) =>
      new Date(
        (
          await w.clinic.db
            .selectFrom("consultations")
            .select("starts_at")
            .where("id", "=", id)
            .executeTakeFirstOrThrow()
        ).starts_at,
      );

    it("open only the consultation and role they were issued for; edited claims are 401", async () => {
      const c1 = await w.book("patientA");
      const c2 = await w.book("patientA");
      const tokenA = await w.freshToken("patientA");
      const t1 = await link(c1.id, tokenA);
      try {
        w.clinic.clock.set(await startOf(c1.id));
        const opened = await call("GET", `/api/rooms/${t1}`);
        expect(opened.status).toBe(200);
        expect(opened.body.consultation.id).toBe(c1.id);
        expect(opened.body.role).toBe("patient");
        // Same signature, payload edited to name consultation 2, or to claim the doctor's role.
        const [h, , s] = t1.split(".");
        const other = `${h}.${b64({ ...claims(t1), c: c2.id })}.${s}`;
        const doctor = `${h}.${b64({ ...claims(t1), r: "doctor" })}.${s}`;
        const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims(t1), c: c2.id })}.`;
        for (const forged of [other, doctor, none, `${t1}x`, t1.replace(/\.[^.]+$/, ".AAAA")]) {
          const res = await call("GET", `/api/rooms/${encodeURIComponent(forged)}`);
          expect(res.status, forged).toBe(401);
          expect(JSON.stringify(res.body)).not.toContain(c2.id);
        }
        // A genuine token of another clinic (another secret) is not ours.
        const elsewhere = await createWorld(url!, "sessions_other", { modules: servedModules });
        try {
          const foreignC = await elsewhere.book("patientA");
          elsewhere.clinic.deps.config.secret = "another-clinic-secret-0123456789abcdef";
          const foreign = await elsewhere.app.request(`/api/consultations/${foreignC.id}/room-link`, {
            method: "POST",
            headers: bearer(await elsewhere.freshToken("patientA")),
          });
          const foreignToken = String(((await foreign.json()) as { url: string }).url).split("/room/")[1]!;
          expect((await call("GET", `/api/rooms/${foreignToken}`)).status).toBe(401);
        } finally {
          await elsewhere.close();
        }
      } finally {
        w.clinic.clock.set(NOW);
      }
    });

    it("a patient cannot ask for the doctor's link; a cancelled consultation's link is 410; an expired one is 410", async () => {
      const c = await w.book("patientA");
      const tokenA = await w.freshToken("patientA");
      expect(
        (await call("POST", `/api/consultations/${c.id}/room-link`, bearer(tokenA), { for: "doctor" })).status,
      ).toBe(403);
      const t = await link(c.id, tokenA);
      const start = await startOf(c.id);
      try {
        w.clinic.clock.set(start);
        expect((await call("GET", `/api/rooms/${t}`)).status).toBe(200);
        w.clinic.clock.set(new Date(start.getTime() + 30 * 60_000 + 30 * 60_000 + 1000));
        expect((await call("GET", `/api/rooms/${t}`)).status).toBe(410);
        w.clinic.clock.set(NOW);
        const c2 = await w.book("patientA");
        const t2 = await link(c2.id, tokenA);
        expect((await call("POST", `/api/consultations/${c2.id}/cancel`, bearer(tokenA), {})).status).toBe(200);
        w.clinic.clock.set(await startOf(c2.id));
        expect((await call("GET", `/api/rooms/${t2}`)).status).toBe(410);
      } finally {
        w.clinic.clock.set(NOW);
      }
    });
  });
});
