/**
 * An in-process stand-in for `RDSData` that runs statements on a real PostgreSQL server through
 * `pg` and answers in the Data API's own shapes, so the Data API path is tested without AWS.
 *
 * Faithful where bugs hide:
 * - `:name` parameters; a string WITHOUT a type hint is sent as `varchar` (so `uuid = varchar`
 *   fails as on Aurora), hints UUID/JSON/TIMESTAMP/DATE/TIME/DECIMAL cast to that type, longValue
 *   is int8, doubleValue float8.
 * - Results as `records: Field[][]` (stringValue/longValue/doubleValue/booleanValue/isNull/...),
 *   `columnMetadata` with PostgreSQL type names when `includeResultMetadata`, timestamps as
 *   "YYYY-MM-DD HH:MM:SS.ffffff" strings in UTC, numeric/uuid/json as strings, no result set for
 *   statements without one (only `numberOfRecordsUpdated`).
 * - Transactions by id on a dedicated connection; errors as `BadRequestException` whose message
 *   ends in "; SQLState: XXXXX" (no `code` field); responses over 1 MiB are refused.
 * Not modelled: the 45 s statement timeout, transaction expiry, batchExecuteStatement.
 */
import { randomBytes } from "node:crypto";
import type {
  BeginTransactionCommandInput,
  BeginTransactionCommandOutput,
  ColumnMetadata,
  CommitTransactionCommandInput,
  CommitTransactionCommandOutput,
  ExecuteStatementCommandInput,
  ExecuteStatementCommandOutput,
  Field,
  RollbackTransactionCommandInput,
  RollbackTransactionCommandOutput,
  SqlParameter,
} from "@aws-sdk/client-rds-data";
import type { DataApiClient } from "@healthflow/core/db";
import pg from "pg";

const MAX_RESPONSE_BYTES = 1024 * 1024;

export class DataApiStandInError extends Error {
  readonly $metadata = { httpStatusCode: 400 };
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Every statement the stand-in ran, for tests that assert on what went over the wire. */
export interface RecordedStatement {
  sql: string;
  parameters: SqlParameter[];
  transactionId?: string;
}

export class DataApiStandIn implements DataApiClient {
  private readonly pool: pg.Pool;
  private readonly transactions = new Map<string, pg.PoolClient>();
  private typeNames: Map<number, string> | undefined;
  readonly statements: RecordedStatement[] = [];

  constructor(connectionString: string, options: { poolMax?: number } = {}) {
    // Raw text for every type: the stand-in formats values itself, as Aurora does.
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolMax ?? 10,
      idleTimeoutMillis: 10_000,
      // Aurora's Data API sessions run in UTC.
      options: "-c TimeZone=UTC",
      types: { getTypeParser: () => (value: string) => value },
    });
    this.pool.on("error", () => {});
  }

  async beginTransaction(input: BeginTransactionCommandInput): Promise<BeginTransactionCommandOutput> {
    requireArns(input);
    const client = await this.pool.connect();
    try {
      await client.query("begin");
    } catch (err) {
      client.release();
      throw badRequest(err);
    }
    const transactionId = randomBytes(48).toString("base64");
    this.transactions.set(transactionId, client);
    return { transactionId, $metadata: {} };
  }

  async commitTransaction(input: CommitTransactionCommandInput): Promise<CommitTransactionCommandOutput> {
    const client = this.takeTransaction(input.transactionId);
    try {
      // COMMIT of an aborted transaction silently rolls back in PostgreSQL; Aurora reports it.
      const r = await client.query("commit");
      if ((r as unknown as { command?: string }).command === "ROLLBACK") {
        throw new DataApiStandInError("BadRequestException", "Transaction was rolled back because of an earlier error");
      }
      return { transactionStatus: "Transaction Committed", $metadata: {} };
    } catch (err) {
      throw err instanceof DataApiStandInError ? err : badRequest(err);
    } finally {
      client.release();
    }
  }

  async rollbackTransaction(input: RollbackTransactionCommandInput): Promise<RollbackTransactionCommandOutput> {
    const client = this.takeTransaction(input.transactionId);
    try {
      await client.query("rollback");
      return { transactionStatus: "Rollback Complete", $metadata: {} };
    } catch (err) {
      throw badRequest(err);
    } finally {
      client.release();
    }
  }

  async executeStatement(input: ExecuteStatementCommandInput): Promise<ExecuteStatementCommandOutput> {
    requireArns(input);
    if (!input.sql) throw new DataApiStandInError("BadRequestException", "SQL statement is required");
    this.statements.push({ sql: input.sql, parameters: input.parameters ?? [], transactionId: input.transactionId });
    const { text, values } = translate(input.sql, input.parameters ?? []);
    let client: pg.PoolClient | undefined;
    if (input.transactionId) {
      client = this.transactions.get(input.transactionId);
      if (!client) throw new DataApiStandInError("BadRequestException", "Transaction not found");
    }
    let result: pg.QueryResult;
    try {
      const query = { text, values, rowMode: "array" as const };
      result = client ? await client.query(query) : await this.pool.query(query);
    } catch (err) {
      throw badRequest(err);
    }
    // A multi-statement string yields an array; the Data API reports the last.
    if (Array.isArray(result)) result = result[result.length - 1] as pg.QueryResult;
    const output: ExecuteStatementCommandOutput = {
      numberOfRecordsUpdated: result.command === "SELECT" ? 0 : (result.rowCount ?? 0),
      generatedFields: [],
      $metadata: {},
    };
    if (result.fields.length === 0) return output;
    const names = await this.typeNamesFor();
    output.records = result.rows.map((row: unknown[]) =>
      result.fields.map((f, i) => toField(row[i] as string | null, f.dataTypeID, names)),
    );
    if (input.includeResultMetadata) {
      output.columnMetadata = result.fields.map(
        (f): ColumnMetadata => ({
          name: f.name,
          label: f.name,
          typeName: names.get(f.dataTypeID) ?? "unknown",
          type: f.dataTypeID,
        }),
      );
    }
    if (Buffer.byteLength(JSON.stringify(output.records)) > MAX_RESPONSE_BYTES) {
      throw new DataApiStandInError(
        "BadRequestException",
        "Database returned more than the allowed response size limit",
      );
    }
    return output;
  }

  /** Rolls back open transactions and closes the pool. */
  async destroy(): Promise<void> {
    for (const [id, client] of this.transactions) {
      this.transactions.delete(id);
      await client.query("rollback").catch(() => {});
      client.release();
    }
    await this.pool.end();
  }

  private takeTransaction(id: string | undefined): pg.PoolClient {
    const client = id ? this.transactions.get(id) : undefined;
    if (!id || !client) throw new DataApiStandInError("BadRequestException", "Transaction not found");
    this.transactions.delete(id);
    return client;
  }

  private async typeNamesFor(): Promise<Map<number, string>> {
    if (!this.typeNames) {
      const r = await this.pool.query({ text: "select oid, typname from pg_type", rowMode: "array" });
      this.typeNames = new Map(r.rows.map((row: string[]) => [Number(row[0]), String(row[1])]));
    }
    return this.typeNames;
  }
}

function requireArns(input: { resourceArn?: string; secretArn?: string }): void {
  if (!input.resourceArn || !input.secretArn) {
    throw new DataApiStandInError("BadRequestException", "resourceArn and secretArn are required");
  }
}

/** Message text only, as the Data API gives it: callers must parse the SQLSTATE out of it. */
function badRequest(err: unknown): DataApiStandInError {
  const e = err as { message?: string; detail?: string; code?: string };
  const detail = e.detail ? `\n  Detail: ${e.detail}` : "";
  return new DataApiStandInError(
    "BadRequestException",
    `ERROR: ${e.message ?? String(err)}${detail}; SQLState: ${e.code ?? "XX000"}`,
  );
}

const CASTS: Record<string, string> = {
  UUID: "uuid",
  JSON: "json",
  TIMESTAMP: "timestamp",
  DATE: "date",
  TIME: "time",
  DECIMAL: "numeric",
};

/** `:name` → `$n` with the type Aurora would give the value; skips literals, comments and `::`. */
export function translate(sqlText: string, parameters: SqlParameter[]): { text: string; values: unknown[] } {
  const byName = new Map(parameters.map((p) => [p.name ?? "", p]));
  const values: unknown[] = [];
  const slots = new Map<string, string>();
  let out = "";
  let i = 0;
  while (i < sqlText.length) {
    const ch = sqlText[i]!;
    const next = sqlText[i + 1];
    if (ch === "'" || ch === '"') {
      const end = closing(sqlText, i, ch);
      out += sqlText.slice(i, end);
      i = end;
    } else if (ch === "-" && next === "-") {
      const end = sqlText.indexOf("\n", i);
      const stop = end === -1 ? sqlText.length : end;
      out += sqlText.slice(i, stop);
      i = stop;
    } else if (ch === "/" && next === "*") {
      const end = sqlText.indexOf("*/", i + 2);
      const stop = end === -1 ? sqlText.length : end + 2;
      out += sqlText.slice(i, stop);
      i = stop;
    } else if (ch === "$" && /[A-Za-z_$]/.test(next ?? "")) {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sqlText.slice(i))?.[0];
      if (tag) {
        const end = sqlText.indexOf(tag, i + tag.length);
        const stop = end === -1 ? sqlText.length : end + tag.length;
        out += sqlText.slice(i, stop);
        i = stop;
      } else {
        out += ch;
        i++;
      }
    } else if (ch === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (ch === ":" && /[A-Za-z0-9_]/.test(next ?? "")) {
      const name = /^[A-Za-z0-9_]+/.exec(sqlText.slice(i + 1))![0];
      const param = byName.get(name);
      if (!param) {
        out += `:${name}`;
      } else {
        let slot = slots.get(name);
        if (!slot) {
          slot = placeholder(param, values);
          slots.set(name, slot);
        }
        out += slot;
      }
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  return { text: out, values };
}

function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

function placeholder(param: SqlParameter, values: unknown[]): string {
  const v = param.value;
  if (!v || v.isNull) return "NULL";
  const push = (value: unknown, type: string) => {
    values.push(value);
    return `($${values.length}::${type})`;
  };
  if (v.stringValue !== undefined) {
    const hinted = param.typeHint ? CASTS[param.typeHint] : undefined;
    if (param.typeHint && !hinted) {
      throw new DataApiStandInError("ValidationException", `unknown typeHint ${param.typeHint}`);
    }
    return push(v.stringValue, hinted ?? "varchar");
  }
  if (v.longValue !== undefined) return push(String(v.longValue), "int8");
  if (v.doubleValue !== undefined) return push(String(v.doubleValue), "float8");
  if (v.booleanValue !== undefined) return push(v.booleanValue, "boolean");
  if (v.blobValue !== undefined) return push(Buffer.from(v.blobValue), "bytea");
  throw new DataApiStandInError("BadRequestException", "Array parameters are not supported");
}

/** One value (PostgreSQL text output, UTC session) as a Data API field. */
function toField(raw: string | null, oid: number, names: Map<number, string>): Field {
  if (raw === null) return { isNull: true };
  switch (names.get(oid)) {
    case "bool":
      return { booleanValue: raw === "t" };
    case "int2":
    case "int4":
    case "int8":
    case "oid":
      return { longValue: Number(raw) };
    case "float4":
    case "float8":
      return { doubleValue: Number(raw) };
    case "timestamptz":
    case "timestamp":
      return { stringValue: formatTimestampText(raw) };
    case "bytea":
      return { blobValue: Buffer.from(raw.replace(/^\\x/, ""), "hex") };
    default:
      return { stringValue: raw };
  }
}

/** "2026-03-01 14:30:00.5+00" → "2026-03-01 14:30:00.500000". */
function formatTimestampText(raw: string): string {
  const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:[+-]\d{2}(?::?\d{2})?)?$/.exec(raw);
  if (!m) return raw;
  return `${m[1]}.${(m[2] ?? "").padEnd(6, "0")}`;
}
