/**
 * Aurora PostgreSQL through the RDS Data API: no connections to pool, each statement is an HTTPS
 * call. This dialect speaks the Data API itself (ExecuteStatement and its transaction calls) and
 * maps types so that the same domain queries that run on `pg` and PGlite run here unchanged:
 *
 * - Parameters. The Data API sends a string without a type hint as `varchar`, so `uuid_col = :1`
 *   fails ("operator does not exist: uuid = character varying") and a JSON string cannot go into a
 *   `jsonb` column. uuid-shaped, "YYYY-MM-DD" and all-digit strings and safe integers are inlined as untyped
 *   literals (see `inlineLiteral`); JSON object/array text and plain objects are hinted JSON,
 *   "HH:MM[:SS]" TIME, Dates and ISO instants with a zone TIMESTAMP (UTC), bigints DECIMAL.
 *   Caveat: a TIME/TIMESTAMP/JSON-hinted value compared with a *text* column needs a cast on the
 *   column (assigning it to a text column is fine: PostgreSQL's assignment cast). A numeric
 *   *string* ("12.50") is sent as varchar: pass a number for numeric columns.
 * - Results. Values arrive as typed fields with `typeName`; we convert them the way `pg` does
 *   (timestamptz/timestamp → Date, json/jsonb → parsed, int8/numeric → string), so row types do
 *   not depend on the engine.
 * - Errors. The Data API only returns message text ending in "SQLState: 23505"; we lift the
 *   SQLSTATE (and the constraint name) into `code`/`constraint` as `pg` errors have them.
 */
import type { ArrayValue, ExecuteStatementCommandInput, Field, RDSData, SqlParameter } from "@aws-sdk/client-rds-data";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
} from "kysely";
import type { DatabaseHandle, DbConfig } from "./create-db.js";
import type { DB } from "./database.js";

/** The subset of `RDSData` the driver calls; the test stand-in implements exactly this. */
export type DataApiClient = Pick<
  RDSData,
  "executeStatement" | "beginTransaction" | "commitTransaction" | "rollbackTransaction"
>;

export async function openDataApi(config: Extract<DbConfig, { kind: "data-api" }>): Promise<DatabaseHandle> {
  // Loaded lazily: only the Lambda path needs the AWS SDK.
  const client =
    (config.client as DataApiClient | undefined) ??
    new (await import("@aws-sdk/client-rds-data")).RDSData({ region: config.region });
  const db = new Kysely<DB>({
    dialect: new HealthFlowDataApiDialect({
      client,
      database: config.database,
      secretArn: config.secretArn,
      resourceArn: config.clusterArn,
    }),
  });
  return {
    kind: "data-api",
    db,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

export interface DataApiTarget {
  client: DataApiClient;
  database: string;
  secretArn: string;
  resourceArn: string;
}

export class HealthFlowDataApiDialect {
  constructor(private readonly target: DataApiTarget) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new DataApiDriver(this.target);
  }
  createQueryCompiler() {
    return new DataApiQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
/** A bigint id in a string (keyset cursors): quoted, it stays text for a text column. */
const DIGITS_SHAPE = /^\d{1,19}$/;
const TIME_SHAPE = /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
/** An ISO 8601 instant: with a zone, so it names one moment (a zone-less one stays text). */
const ISO_INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `:0`, `:1`, ... placeholders carrying typed Data API parameters. */
export class DataApiQueryCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    const literal = inlineLiteral(value);
    if (literal !== undefined) {
      this.append(literal);
      return;
    }
    const name = String(this.numParameters);
    this.append(`:${name}`);
    this.addParameter({ name, ...toDataApiParameter(value) });
  }
}

/**
 * Values whose text can only be digits, hex letters and dashes go into the SQL as literals (uuid,
 * "YYYY-MM-DD", up to 19 digits, safe integers). An
 * untyped literal takes its type from the context, exactly as `pg`'s untyped parameters do, so a
 * uuid string matches a uuid column *and* a text column (`audit_events.entity_id`), and an integer
 * fits an int4 function argument (`make_interval(mins => 30)`), where a typed Data API parameter
 * (UUID, int8) breaks one or the other. The shapes are checked by anchored patterns, so nothing
 * else can reach the SQL text; no colon is ever inlined (the Data API reads `:name` as a parameter).
 */
export function inlineLiteral(value: unknown): string | undefined {
  if (typeof value === "string" && (UUID_SHAPE.test(value) || DATE_SHAPE.test(value) || DIGITS_SHAPE.test(value))) {
    return `'${value}'`;
  }
  if (typeof value === "number" && Number.isSafeInteger(value)) return value < 0 ? `(${value})` : String(value);
  return undefined;
}

/** One JavaScript value as a Data API parameter (without its name). */
export function toDataApiParameter(value: unknown): Omit<SqlParameter, "name"> {
  if (value === null || value === undefined) return { value: { isNull: true } };
  switch (typeof value) {
    case "string":
      if (UUID_SHAPE.test(value)) return { typeHint: "UUID", value: { stringValue: value } };
      if (looksLikeJsonDocument(value)) return { typeHint: "JSON", value: { stringValue: value } };
      if (DATE_SHAPE.test(value)) return { typeHint: "DATE", value: { stringValue: value } };
      if (TIME_SHAPE.test(value)) {
        return { typeHint: "TIME", value: { stringValue: value.length === 5 ? `${value}:00` : value } };
      }
      if (ISO_INSTANT_SHAPE.test(value) && !Number.isNaN(Date.parse(value))) {
        return { typeHint: "TIMESTAMP", value: { stringValue: formatTimestamp(new Date(value)) } };
      }
      return { value: { stringValue: value } };
    case "number":
      if (Number.isInteger(value)) return { value: { longValue: value } };
      return { value: { doubleValue: value } };
    case "bigint":
      return { typeHint: "DECIMAL", value: { stringValue: value.toString() } };
    case "boolean":
      return { value: { booleanValue: value } };
    case "object":
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError("Data API: cannot send an invalid Date");
        return { typeHint: "TIMESTAMP", value: { stringValue: formatTimestamp(value) } };
      }
      if (value instanceof Uint8Array) return { value: { blobValue: value } };
      if (Array.isArray(value)) {
        // The Data API rejects array parameters; pg would send a PostgreSQL array. Neither is what a
        // jsonb column wants, so make the caller choose explicitly.
        throw new TypeError(
          "Data API: array parameters are not supported; JSON.stringify for jsonb, or expand the list (in (...))",
        );
      }
      return { typeHint: "JSON", value: { stringValue: JSON.stringify(value) } };
    default:
      throw new TypeError(`Data API: cannot send a ${typeof value} parameter`);
  }
}

/** Only text that parses as a JSON object or array: "[Dr] Ana" stays a plain string. */
function looksLikeJsonDocument(value: string): boolean {
  const first = value.trimStart()[0];
  if (first !== "{" && first !== "[") return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return false;
  }
}

/** "YYYY-MM-DD HH:MM:SS.mmm" in UTC, the form the TIMESTAMP hint expects. */
function formatTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

// ---------------------------------------------------------------------------------------------
// Results

/**
 * A Data API timestamp ("2026-03-01 14:30:00", optionally with up to six fractional digits) read
 * as UTC, which is what Aurora returns for both timestamp and timestamptz.
 */
export function parseDataApiTimestamp(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00(?::?00)?)?$/.exec(text);
  if (!m) throw new TypeError(`Data API: unexpected timestamp "${text}"`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
}

interface ColumnMeta {
  name?: string;
  label?: string;
  typeName?: string;
}

/** One field as `pg` would hand it over for a column of PostgreSQL type `typeName`. */
export function fromDataApiField(field: Field, typeName: string | undefined): unknown {
  if (field.isNull) return null;
  const type = (typeName ?? "").toLowerCase().replace(/^"|"$/g, "");
  if (field.stringValue !== undefined) {
    const text = field.stringValue;
    switch (type) {
      case "timestamptz":
      case "timestamp":
        return parseDataApiTimestamp(text);
      case "date":
        // pg returns a Date at local midnight for `date`.
        return new Date(`${text}T00:00:00`);
      case "json":
      case "jsonb":
        return JSON.parse(text);
      default:
        return text;
    }
  }
  if (field.longValue !== undefined) return type === "int8" ? String(field.longValue) : field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue);
  if (field.arrayValue !== undefined) return unmarshallArray(field.arrayValue);
  return null;
}

function unmarshallArray(a: ArrayValue | null | undefined): unknown[] {
  if (!a) return [];
  return (a.stringValues ??
    a.longValues ??
    a.doubleValues ??
    a.booleanValues ??
    a.arrayValues?.map((inner) => unmarshallArray(inner)) ??
    []) as unknown[];
}

/** The Data API only gives message text; recover what `pg` errors carry so pg-errors.ts works. */
export function toDatabaseError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const state = /SQLState: ([0-9A-Z]{5})/.exec(err.message)?.[1];
  if (!state) return err;
  const mapped = err as Error & { code?: string; constraint?: string };
  mapped.code = state;
  const constraint = /constraint "([^"]+)"/.exec(err.message)?.[1];
  if (constraint) mapped.constraint = constraint;
  return mapped;
}

// ---------------------------------------------------------------------------------------------
// Driver

class DataApiDriver implements Driver {
  constructor(private readonly target: DataApiTarget) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new DataApiConnection(this.target);
  }
  async beginTransaction(conn: DataApiConnection) {
    await conn.begin();
  }
  async commitTransaction(conn: DataApiConnection) {
    await conn.commit();
  }
  async rollbackTransaction(conn: DataApiConnection) {
    await conn.rollback();
  }
  async releaseConnection() {}
  async destroy() {
    // The handle owns its client (the SDK's, or a test stand-in with a pool behind it).
    await (this.target.client as { destroy?: () => unknown }).destroy?.();
  }
}

class DataApiConnection implements DatabaseConnection {
  private transactionId: string | undefined;
  constructor(private readonly target: DataApiTarget) {}

  async begin() {
    const { client, database, secretArn, resourceArn } = this.target;
    const r = await client.beginTransaction({ database, secretArn, resourceArn }).catch(rethrow);
    this.transactionId = r.transactionId;
  }

  async commit() {
    const transactionId = this.take();
    await this.target.client
      .commitTransaction({ secretArn: this.target.secretArn, resourceArn: this.target.resourceArn, transactionId })
      .catch(rethrow);
  }

  async rollback() {
    const transactionId = this.take();
    await this.target.client
      .rollbackTransaction({ secretArn: this.target.secretArn, resourceArn: this.target.resourceArn, transactionId })
      .catch(rethrow);
  }

  private take(): string {
    const id = this.transactionId;
    if (!id) throw new Error("Data API: no transaction in progress");
    this.transactionId = undefined;
    return id;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const input: ExecuteStatementCommandInput = {
      resourceArn: this.target.resourceArn,
      secretArn: this.target.secretArn,
      database: this.target.database,
      transactionId: this.transactionId,
      sql: query.sql,
      parameters: query.parameters as SqlParameter[],
      includeResultMetadata: true,
    };
    const r = await this.target.client.executeStatement(input).catch(rethrow);
    const updated = BigInt(r.numberOfRecordsUpdated ?? 0);
    if (!r.columnMetadata) return { rows: [], numAffectedRows: updated };
    const meta: ColumnMeta[] = r.columnMetadata;
    const rows = (r.records ?? []).map(
      (record) =>
        Object.fromEntries(
          record.map((field, i) => {
            const col = meta[i] ?? {};
            return [col.label || col.name || `?column?${i}`, fromDataApiField(field, col.typeName)];
          }),
        ) as R,
    );
    // A RETURNING query reports both rows and the count; a SELECT reports 0 updated.
    return updated > 0n ? { rows, numAffectedRows: updated } : { rows };
  }

  // biome-ignore lint/correctness/useYield: the Data API cannot stream; the method must exist.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("Data API does not support streaming");
  }
}

function rethrow(err: unknown): never {
  throw toDatabaseError(err);
}
