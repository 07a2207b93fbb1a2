/** GET /api/users pages: default and maximum limit, a cursor that walks every account once. */

import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from "../../scheduling/scheduling.schema.js";

let clinic: TestClinic;
let admin: TestPerson;
beforeAll(async () => {
  clinic = await createTestClinic();
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic?.close();
});

describe("GET /api/users pagination", () => {
  it("walks every account exactly once, in name order, with limit and cursor", async () => {
    const tag = `Zz Pager ${crypto.randomUUID().slice(0, 6)}`;
    const made = [];
    // Same names on purpose: the id breaks ties, so equal names neither repeat nor vanish.
    for (let i = 0; i < 5; i++) made.push((await clinic.person("patient", { name: `${tag} ${i % 2}` })).user.id);
    const seen: { id: string; name: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await clinic.call(
        "GET",
        `/api/users?role=patient&limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        { as: admin },
      );
      expect(res.status).toBe(200);
      expect(res.body.users.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.users);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10_000);
    const ids = seen.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of made) expect(ids).toContain(id);
    const keys = seen.map((u) => [u.name, u.id] as const);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1]!, keys[i]!];
      // PostgreSQL's collation orders names; the id breaks ties within one name.
      if (a[0] === b[0]) expect(a[1] < b[1]).toBe(true);
    }
  });

  it("pages past names shaped like times, dates, instants and numbers (issue #11: 500 on the Data API)", async () => {
    const names = ["09:30", "09:30:15", "1999-12-31", "2031-01-01T10:00:00Z", "12.50", crypto.randomUUID()];
    const made = new Set<string>();
    for (const name of names) made.add((await clinic.person("patient", { name })).user.id);
    // Digit-led names sort before every letter, so a walk from the start meets them early; limit=1
    // makes each of them the cursor of a page.
    let cursor: string | null = null;
    for (let pages = 0; made.size > 0 && pages < 1000; pages++) {
      const res: { status: number; body: any } = await clinic.call(
        "GET",
        `/api/users?role=patient&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { as: admin },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      for (const u of res.body.users) made.delete(u.id);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(made.size).toBe(0);
  });

  it("has a default and a maximum page size", async () => {
    const res = await clinic.call("GET", "/api/users", { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.users.length).toBeLessThanOrEqual(LIST_DEFAULT_LIMIT);
    expect(res.body).toHaveProperty("nextCursor");
    expect((await clinic.call("GET", `/api/users?limit=${LIST_MAX_LIMIT + 1}`, { as: admin })).status).toBe(400);
    expect((await clinic.call("GET", "/api/users?limit=0", { as: admin })).status).toBe(400);
    const bad = await clinic.call("GET", "/api/users?cursor=garbage", { as: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_cursor");
  });
});
