/**
 * The Data API's driver: a "connection" is a transaction id (or none); every statement is one
 * ExecuteStatement call with its column metadata, whose fields data-api-values.ts turns into what
 * `pg` returns.
 */
import type { ExecuteStatementCommandInput, SqlParameter } from "@aws-sdk/client-rds-data";
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from "kysely";
import type { DataApiDialectConfig } from "./data-api-dialect-config.js";
import { fromDataApiField, toDatabaseError } from "./data-api-values.js";

interface ColumnMeta {
  name?: string;
  label?: string;
  typeName?: string;
}

export class DataApiDriver implements Driver {
  constructor(private readonly config: DataApiDialectConfig) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new DataApiConnection(this.config);
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
    await (this.config.client as { destroy?: () => unknown }).destroy?.();
  }
}

class DataApiConnection implements DatabaseConnection {
  private transactionId: string | undefined;
  constructor(private readonly config: DataApiDialectConfig) {}

  async begin() {
    const { client, database, secretArn, resourceArn } = this.config;
    const r = await client.beginTransaction({ database, secretArn, resourceArn }).catch(rethrow);
    this.transactionId = r.transactionId;
  }

  async commit() {
    const transactionId = this.take();
    await this.config.client
      .commitTransaction({ secretArn: this.config.secretArn, resourceArn: this.config.resourceArn, transactionId })
      .catch(rethrow);
  }

  async rollback() {
    const transactionId = this.take();
    await this.config.client
      .rollbackTransaction({ secretArn: this.config.secretArn, resourceArn: this.config.resourceArn, transactionId })
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
      resourceArn: this.config.resourceArn,
      secretArn: this.config.secretArn,
      database: this.config.database,
      transactionId: this.transactionId,
      sql: query.sql,
      parameters: query.parameters as SqlParameter[],
      includeResultMetadata: true,
    };
    const r = await this.config.client.executeStatement(input).catch(rethrow);
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
