/**
 * Every migration, in order. Listed by hand (not read from disk) so bundles carry them. Append
 * only: a landed migration is frozen.
 */
import type { Migration } from "kysely";
import * as m0001 from "./0001-accounts.js";
import * as m0002 from "./0002-scheduling.js";
import * as m0003 from "./0003-patient-cpf.js";
import * as m0004 from "./0004-hardening.js";
import * as m0005 from "./0005-telemedicine.js";
import * as m0006 from "./0006-notifications.js";
import * as m0007 from "./0007-performance-indexes.js";
import * as m0008 from "./0008-calendar-feeds.js";
import * as m0009 from "./0009-search-indexes.js";
import * as m0011 from "./0011-consultation-mode.js";
import * as m0012 from "./0012-budget-leases.js";

export const migrations: Record<string, Migration> = {
  "0001-accounts": m0001,
  "0002-scheduling": m0002,
  "0003-patient-cpf": m0003,
  "0004-hardening": m0004,
  "0005-telemedicine": m0005,
  "0006-notifications": m0006,
  "0007-performance-indexes": m0007,
  "0008-calendar-feeds": m0008,
  "0009-search-indexes": m0009,
  "0011-consultation-mode": m0011,
  "0012-budget-leases": m0012,
};
