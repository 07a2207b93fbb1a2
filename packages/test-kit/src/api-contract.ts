/**
 * The API contract every adapter must honour, written once against `send(Request) => Response`.
 * Run it through `app.request()` and through the Lambda handler (and any future adapter): if an
 * adapter loses a cookie, a header, a status or a body, this suite says which.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";

export type Send = (request: Request) => Promise<Response>;

export interface ContractTarget {
  /** Where requests go, e.g. `https://api.healthflow.test`; the same-origin check uses it. */
  origin: string;
  send: Send;
}

export function describeApiContract(label: string, target: () => ContractTarget) {
  describe(`API contract through ${label}`, () => {
    const request = (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const { origin, send } = target();
      const headers = new Headers(init.headers);
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
      return send(new Request(`${origin}${path}`, { method, headers, body }));
    };
    const json = async (res: Response) => (await res.json()) as any;
    const password = "contract-test-passphrase";

    async function registered() {
      const email = `contract-${randomUUID().slice(0, 8)}@test.healthflow.local`;
      const res = await request("POST", "/api/auth/register", { body: { email, password, name: "Contrato Teste" } });
      expect(res.status).toBe(201);
      return { email, ...(await json(res)) } as { email: string; token: string; user: { id: string } };
    }

    it("login answers 200 {user,token} with the session cookie", async () => {
      const { email, user } = await registered();
      const res = await request("POST", "/api/auth/login", { body: { email, password } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      const body = await json(res);
      expect(body).toEqual({
        user: { id: user.id, email, name: "Contrato Teste", role: "patient", language: "pt-BR", emailVerified: true },
        token: expect.any(String),
      });
      const cookies = res.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(new RegExp(`^hf_session=${body.token};`));
      expect(cookies[0]).toMatch(/HttpOnly/i);
      expect(cookies[0]).toMatch(/SameSite=Lax/i);
      expect(res.headers.get("x-request-id")).toMatch(/.+/);
    });

    it("a wrong password is 401 invalid_credentials", async () => {
      const { email } = await registered();
      const res = await request("POST", "/api/auth/login", { body: { email, password: "wrong password!" } });
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({ error: { code: "invalid_credentials", message: expect.any(String) } });
    });

    it("me works with the bearer token and with the cookie", async () => {
      const { email, token, user } = await registered();
      const bearer = await request("GET", "/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
      expect(bearer.status).toBe(200);
      expect((await json(bearer)).user).toMatchObject({ id: user.id, email });
      const login = await request("POST", "/api/auth/login", { body: { email, password } });
      const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
      const viaCookie = await request("GET", "/api/auth/me", { headers: { cookie: `theme=dark; ${cookie}` } });
      expect(viaCookie.status).toBe(200);
      expect((await json(viaCookie)).user.id).toBe(user.id);
      const anonymous = await request("GET", "/api/auth/me");
      expect(anonymous.status).toBe(401);
    });

    it("a cookie write needs the same Origin; logout is 204 and ends the session", async () => {
      const { email } = await registered();
      const login = await request("POST", "/api/auth/login", { body: { email, password } });
      const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
      const forged = await request("POST", "/api/auth/logout", { headers: { cookie, origin: "https://evil.example" } });
      expect(forged.status).toBe(403);
      expect((await json(forged)).error.code).toBe("csrf_origin");
      const res = await request("POST", "/api/auth/logout", { headers: { cookie, origin: target().origin } });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe("");
      expect(res.headers.getSetCookie().some((c) => /^hf_session=;/.test(c))).toBe(true);
      expect((await request("GET", "/api/auth/me", { headers: { cookie } })).status).toBe(401);
    });

    it("logout with the bearer token is 204 and the token stops working", async () => {
      const { token } = await registered();
      const auth = { authorization: `Bearer ${token}` };
      expect((await request("POST", "/api/auth/logout", { headers: auth })).status).toBe(204);
      expect((await request("GET", "/api/auth/me", { headers: auth })).status).toBe(401);
    });

    it("malformed input is 400 with the error shape", async () => {
      const bad = await request("POST", "/api/auth/login", { body: "{not json" });
      expect(bad.status).toBe(400);
      expect(await json(bad)).toEqual({ error: { code: "bad_request", message: expect.any(String) } });
      const missing = await request("POST", "/api/auth/register", { body: { email: "x@y.co" } });
      expect(missing.status).toBe(400);
      expect((await json(missing)).error).toMatchObject({ code: "invalid_request", details: expect.any(Array) });
    });

    it("an unknown path is 404 with the error shape, query strings and encoded paths included", async () => {
      for (const path of ["/api/nope", "/api/nope?x=1&y=%20z", "/api/caf%C3%A9/s%20p"]) {
        const res = await request("GET", path);
        expect(res.status, path).toBe(404);
        expect((await json(res)).error.code).toBe("not_found");
      }
    });

    it("query parameters reach the route", async () => {
      const { token } = await registered();
      const auth = { authorization: `Bearer ${token}` };
      // Validation runs before the role check: an invalid role is 400 naming `role`, a valid one
      // reaches the handler, which refuses a patient (403).
      const invalid = await request("GET", "/api/users?role=root", { headers: auth });
      expect(invalid.status).toBe(400);
      expect((await json(invalid)).error.details).toContainEqual({ path: "role", message: expect.any(String) });
      const valid = await request("GET", "/api/users?role=patient", { headers: auth });
      expect(valid.status).toBe(403);
    });
  });
}
