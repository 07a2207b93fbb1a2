import type { RDSData } from "@aws-sdk/client-rds-data";

/** The subset of `RDSData` the driver calls; the test stand-in implements exactly this. */
export type DataApiClient = Pick<
  RDSData,
  "executeStatement" | "beginTransaction" | "commitTransaction" | "rollbackTransaction"
>;

export interface DataApiDialectConfig {
  client: DataApiClient;
  database: string;
  secretArn: string;
  /** The Aurora cluster's ARN. */
  resourceArn: string;
}
