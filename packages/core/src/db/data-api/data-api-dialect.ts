/**
 * Aurora PostgreSQL through the RDS Data API, as a Kysely dialect (the shape of Kysely's own
 * `dialect/postgres/`): PostgreSQL's adapter and introspector, our query compiler (typed `:name`
 * parameters) and driver (ExecuteStatement and the transaction calls over HTTPS).
 *
 * The point of the dialect is that nothing above it knows it is there: a query gives the rows, the
 * JavaScript types and the errors that the `pg` engine gives (see data-api-values.ts).
 */
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  type QueryCompiler,
} from "kysely";
import type { DataApiDialectConfig } from "./data-api-dialect-config.js";
import { DataApiDriver } from "./data-api-driver.js";
import { DataApiQueryCompiler } from "./data-api-query-compiler.js";

export class DataApiDialect implements Dialect {
  constructor(private readonly config: DataApiDialectConfig) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new DataApiDriver(this.config);
  }
  createQueryCompiler(): QueryCompiler {
    return new DataApiQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
