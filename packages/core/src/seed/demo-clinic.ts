/**
 * The whole demo clinic: people now; the scheduling issue adds availability and consultations here.
 */
import type { Logger } from "../log/logger.js";
import type { Db } from "../users/user.sql.js";
import { type DemoClinic, seedDemoPeople } from "./demo.js";

export interface DemoOptions {
  logger: Logger;
  now: Date;
  minNoticeMinutes: number;
}

export async function seedDemoClinic(db: Db, options: DemoOptions): Promise<DemoClinic> {
  return seedDemoPeople(db, options.logger);
}
