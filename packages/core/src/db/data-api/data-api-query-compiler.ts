import { PostgresQueryCompiler } from "kysely";
import { inlineLiteral, toDataApiParameter } from "./data-api-values.js";

/** PostgreSQL's SQL with `:0`, `:1`, ... placeholders carrying typed Data API parameters. */
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
