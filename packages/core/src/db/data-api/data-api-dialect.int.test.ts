/**
 * The Data API path against the real PostgreSQL server (TEST_DATABASE_URL) through the RDSData
 * stand-in: first that the stand-in reproduces Aurora's typing (so it can catch bugs), then that
 * our dialect gives rows identical to the `pg` engine's for every type we use.
 */
import { randomUUID } from "node:crypto";
import { DataApiStandIn, translate } from "@healthflow/test-kit/data-api-stand-in";
import { createTestClinic, TEST_PASSWORD } from "@healthflow/test-kit/test-clinic";
import fc from "fast-check";
import { Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation, violatedConstraint } from "../pg-errors.js";
import { openPostgres } from "../postgres-dialect.js";
import { DataApiDialect } from "./data-api-dialect.js";
import { inlineLiteral, parseDataApiTimestamp, toDataApiParameter } from "./data-api-values.js";

const url = process.env.TEST_DATABASE_URL;
const arns = {
  resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:t",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:t",
  database: "healthflow_test",
};

describe("stand-in SQL translation (no database)", () => {
  it("maps :name to typed $n, once per name, and leaves literals, comments and :: casts alone", () => {
    const { text, values } = translate("select ':a' as s, x::text, :a, :b -- :a\n, $$:a$$, \"col:a\", :a", [
      { name: "a", value: { stringValue: "v" } },
      { name: "b", typeHint: "UUID", value: { stringValue: "00000000-0000-0000-0000-000000000000" } },
    ]);
    expect(text).toBe("select ':a' as s, x::text, ($1::varchar), ($2::uuid) -- :a\n, $$:a$$, \"col:a\", ($1::varchar)");
    expect(values).toEqual(["v", "00000000-0000-0000-0000-000000000000"]);
  });
});

describe("dialect parameters and timestamps (no database)", () => {
  it("inlines only uuid, date and safe-integer shapes, as untyped literals", () => {
    expect(inlineLiteral("0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e")).toBe("'0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e'");
    expect(inlineLiteral("2026-03-01")).toBe("'2026-03-01'");
    expect(inlineLiteral(30)).toBe("30");
    expect(inlineLiteral("1234")).toBe("'1234'");
    expect(inlineLiteral(-5)).toBe("(-5)");
    for (const v of ["0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e'; drop table users; --", "x", 1.5, 2 ** 60, "09:30", true]) {
      expect(inlineLiteral(v)).toBeUndefined();
    }
    const compiled = new Kysely<any>({
      dialect: new DataApiDialect({ client: {} as any, ...arns }),
    })
      .selectFrom("t")
      .selectAll()
      .where("id", "=", "0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e")
      .where("n", "=", 3)
      .where("name", "=", "ana")
      .compile();
    expect(compiled.sql).toBe(
      `select * from "t" where "id" = '0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e' and "n" = 3 and "name" = :0`,
    );
    expect(compiled.parameters).toEqual([{ name: "0", value: { stringValue: "ana" } }]);
  });

  it("hints only from the JavaScript type: Dates, objects and bigints; every string is a plain string", () => {
    for (const text of [
      '{"a":1}',
      "[Dr] Ana",
      "2026-03-01",
      "09:30",
      "2026-03-01T11:30:00-03:00",
      "2026-03-01T11:30:00",
      "12.50",
      "true",
      "0b0a6b33-9d2f-4f7e-8c1e-2f3a4b5c6d7e",
      "ana@example.com",
    ]) {
      expect(toDataApiParameter(text), text).toEqual({ value: { stringValue: text } });
    }
    expect(toDataApiParameter({ a: 1 })).toEqual({ typeHint: "JSON", value: { stringValue: '{"a":1}' } });
    expect(toDataApiParameter(new Date("2026-03-01T14:30:00.123Z"))).toEqual({
      typeHint: "TIMESTAMP",
      value: { stringValue: "2026-03-01 14:30:00.123" },
    });
    expect(toDataApiParameter(9007199254740993n)).toEqual({
      typeHint: "DECIMAL",
      value: { stringValue: "9007199254740993" },
    });
    expect(toDataApiParameter(true)).toEqual({ value: { booleanValue: true } });
    expect(() => toDataApiParameter(["a"])).toThrow(/array parameters/);
  });

  it("reads Data API timestamps as UTC whatever their fraction", () => {
    for (const [text, iso] of [
      ["2026-03-01 14:30:00", "2026-03-01T14:30:00.000Z"],
      ["2026-03-01 14:30:00.5", "2026-03-01T14:30:00.500Z"],
      ["2026-03-01 14:30:00.123456", "2026-03-01T14:30:00.123Z"],
    ] as const) {
      expect(parseDataApiTimestamp(text).toISOString()).toBe(iso);
    }
    expect(() => parseDataApiTimestamp("yesterday")).toThrow();
  });
});

describe.skipIf(!url)("Data API through the stand-in, on the real server", () => {
  const table = `data_api_probe_${randomUUID().slice(0, 8)}`;
  let standIn: DataApiStandIn;
  let viaDataApi: Kysely<any>;
  let viaPg: Kysely<any>;

  beforeAll(async () => {
    standIn = new DataApiStandIn(url!);
    viaDataApi = new Kysely<any>({ dialect: new DataApiDialect({ client: standIn, ...arns }) });
    viaPg = openPostgres({ kind: "postgres", url: url! }).db as unknown as Kysely<any>;
    await sql`
      create table ${sql.table(table)} (
        id uuid primary key,
        at timestamptz not null,
        plain timestamp,
        details jsonb not null,
        big bigint,
        small integer,
        ratio double precision,
        amount numeric(10, 2),
        flag boolean,
        note text,
        day date,
        ref text unique
      )`.execute(viaPg);
  });

  afterAll(async () => {
    await sql`drop table if exists ${sql.table(table)}`.execute(viaPg);
    await viaDataApi.destroy();
    await viaPg.destroy();
  });

  it("reproduces Aurora: an unhinted string against a uuid column fails, a UUID hint works", async () => {
    const id = randomUUID();
    const unhinted = standIn.executeStatement({
      ...arns,
      sql: `select 1 from ${table} where id = :id`,
      parameters: [{ name: "id", value: { stringValue: id } }],
    });
    await expect(unhinted).rejects.toThrow(/operator does not exist: uuid = character varying.*SQLState: 42883/s);
    await expect(unhinted).rejects.toMatchObject({ name: "BadRequestException" });

    const hinted = await standIn.executeStatement({
      ...arns,
      sql: `select :id as id, now() as at, 42::int8 as n, null::text as nothing`,
      parameters: [{ name: "id", typeHint: "UUID", value: { stringValue: id } }],
      includeResultMetadata: true,
    });
    const [idField, atField, nField, nullField] = hinted.records![0]!;
    expect(idField).toEqual({ stringValue: id });
    expect(atField!.stringValue).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(nField).toEqual({ longValue: 42 });
    expect(nullField).toEqual({ isNull: true });
    expect(hinted.columnMetadata!.map((c) => c.typeName)).toEqual(["uuid", "timestamptz", "int8", "text"]);
  });

  it("reproduces Aurora: a JSON string without a hint or a cast cannot go into jsonb", async () => {
    await expect(
      standIn.executeStatement({
        ...arns,
        sql: `insert into ${table} (id, at, details) values (:id, now(), :d)`,
        parameters: [
          { name: "id", typeHint: "UUID", value: { stringValue: randomUUID() } },
          { name: "d", value: { stringValue: "{}" } },
        ],
      }),
    ).rejects.toThrow(/jsonb but expression is of type character varying/);
  });

  it("gives the same rows as the pg engine for uuid, timestamptz, jsonb, bigint, numeric, boolean, null", async () => {
    const id = randomUUID();
    const at = new Date("2026-03-01T14:30:00.123Z");
    await viaDataApi
      .insertInto(table)
      .values({
        id,
        at,
        plain: new Date("2026-03-02T08:00:00.000Z"),
        details: { reason: "check-up", tags: ["a", "b"], n: 1 },
        // Max safe integer: the Data API returns int8 as a JSON number (see the test below).
        big: 9007199254740991n,
        small: 7,
        ratio: 0.25,
        amount: 12.5,
        flag: true,
        note: null,
        day: "2026-03-01",
        ref: `[ref] ${id}`,
      })
      .execute();
    const select = (db: Kysely<any>) =>
      db
        .selectFrom(table)
        .selectAll()
        .select((eb) => eb.fn.countAll().over().as("total"))
        .where("id", "=", id)
        .where("at", ">=", new Date(at.getTime() - 1))
        .where("flag", "=", true)
        .executeTakeFirstOrThrow();
    const fromDataApi = await select(viaDataApi);
    const fromPg = await select(viaPg);
    expect(fromDataApi).toEqual(fromPg);
    expect(fromDataApi.at).toEqual(at);
    expect(fromDataApi.details).toEqual({ reason: "check-up", tags: ["a", "b"], n: 1 });
    expect(fromDataApi.big).toBe("9007199254740991");
    expect(fromDataApi.note).toBeNull();

    const updated = await viaDataApi
      .updateTable(table)
      .set({ details: { moved: true }, small: null })
      .where("id", "=", id)
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    const after = await viaDataApi.selectFrom(table).select(["details", "small"]).where("id", "=", id).execute();
    expect(after).toEqual([{ details: { moved: true }, small: null }]);
  });

  it("a uuid string matches both a uuid column and a text column (audit_events.entity_id), as on pg", async () => {
    const id = randomUUID();
    await viaDataApi.insertInto(table).values({ id, at: new Date(), details: {}, ref: id }).execute();
    const byUuid = await viaDataApi.selectFrom(table).select("ref").where("id", "=", id).execute();
    const byText = await viaDataApi.selectFrom(table).select("id").where("ref", "=", id).execute();
    expect(byUuid).toEqual([{ ref: id }]);
    expect(byText).toEqual([{ id }]);
    // An all-digit string against bigint (a keyset cursor) and against text.
    const cursor = await sql<{
      a: boolean;
      b: boolean;
    }>`select 5::bigint < ${"12"} as a, '12'::text = ${"12"} as b`.execute(viaDataApi);
    expect(cursor.rows).toEqual([{ a: true, b: true }]);
    const minutes = await sql<{ m: string }>`select make_interval(mins => ${30})::text as m`.execute(viaDataApi);
    expect(minutes.rows).toEqual([{ m: "00:30:00" }]);
  });

  it("property: strings shaped like times, dates, instants, JSON, numbers, UUIDs and booleans stay strings", async () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    const shaped = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`),
      fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m, sec]) => `${pad(h)}:${pad(m)}:${pad(sec)}`),
      fc
        .date({ min: new Date("1900-01-01"), max: new Date("2199-12-31"), noInvalidDate: true })
        .chain((d) =>
          fc.constantFrom(
            d.toISOString(),
            d.toISOString().slice(0, 10),
            d.toISOString().slice(0, 19),
            d.toISOString().replace("Z", "+00:00"),
            d.toISOString().replace("T", " ").slice(0, 19),
          ),
        ),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.object().map((v) => JSON.stringify(v)),
      fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.bigInt()).map(String),
      fc.uuid(),
      fc.constantFrom("true", "false", "t", "f", "yes", "no", "on", "off", "1", "0", "null", "NaN", "Infinity"),
    );
    await fc.assert(
      fc.asyncProperty(shaped, async (text) => {
        const id = randomUUID();
        // As the domain uses strings: written to a text column, compared with one, and selected.
        await viaDataApi.insertInto(table).values({ id, at: new Date(), details: {}, note: text }).execute();
        const byText = viaDataApi.selectFrom(table).select("note").where("note", "=", text).where("id", "=", id);
        expect(await byText.execute()).toEqual([{ note: text }]);
        const echo = await sql<{ v: unknown; after: boolean }>`select ${text} as v, ${text} > note as after
          from ${sql.table(table)} where id = ${id}`.execute(viaDataApi);
        expect(echo.rows).toEqual([{ v: text, after: false }]);
      }),
      { numRuns: 150 },
    );
  });

  it("known limit: int8 above 2^53 is written exactly but read back rounded (longValue is a JSON number)", async () => {
    const id = randomUUID();
    await viaDataApi.insertInto(table).values({ id, at: new Date(), details: {}, big: 9007199254740993n }).execute();
    const read = (db: Kysely<any>) => db.selectFrom(table).select("big").where("id", "=", id).executeTakeFirstOrThrow();
    expect((await read(viaPg)).big).toBe("9007199254740993");
    expect((await read(viaDataApi)).big).toBe("9007199254740992");
  });

  it("rolls back a failed transaction and reports the unique violation as pg would", async () => {
    const first = randomUUID();
    const ref = `ref-${first}`;
    await viaDataApi.insertInto(table).values({ id: first, at: new Date(), details: {}, ref }).execute();
    const second = randomUUID();
    const failure = await viaDataApi
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto(table).values({ id: second, at: new Date(), details: {} }).execute();
        await trx.insertInto(table).values({ id: randomUUID(), at: new Date(), details: {}, ref }).execute();
      })
      .catch((err: unknown) => err);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(violatedConstraint(failure)).toBe(`${table}_ref_key`);
    const left = await viaPg.selectFrom(table).select("id").where("id", "=", second).execute();
    expect(left).toEqual([]);

    await viaDataApi.transaction().execute(async (trx) => {
      await trx.insertInto(table).values({ id: second, at: new Date(), details: {} }).execute();
    });
    const committed = await viaPg.selectFrom(table).select("id").where("id", "=", second).execute();
    expect(committed).toEqual([{ id: second }]);
  });
});

describe.skipIf(!url)("the app over the Data API", () => {
  it("registers, signs in and answers /me through DataApiDialect and the stand-in", async () => {
    const previous = process.env.TEST_DB_ENGINE;
    process.env.TEST_DB_ENGINE = "data-api";
    const clinic = await createTestClinic();
    process.env.TEST_DB_ENGINE = previous;
    try {
      expect(clinic.database.kind).toBe("data-api");
      const doctor = await clinic.person("doctor");
      const me = await clinic.call("GET", "/api/auth/me", { as: doctor });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: doctor.user.id, role: "doctor" });
      const login = await clinic.call("POST", "/api/auth/login", {
        body: { email: doctor.user.email, password: TEST_PASSWORD },
      });
      expect(login.status).toBe(200);
      const doctors = await clinic.call("GET", "/api/doctors", { as: login.body.token });
      expect(doctors.status).toBe(200);
      expect(doctors.body.doctors.map((d: { id: string }) => d.id)).toContain(doctor.user.id);
    } finally {
      await clinic.close();
    }
  });
});
