/** The demo clinic's people are searchable as seeded (issue #13): accents, phone digits. */
import { openTestDatabase } from "@healthflow/test-kit/test-clinic";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../log/logger.js";
import { listUsersPage } from "../users/user.js";
import { seedDemoPeople } from "./demo.js";

describe("demo people and search", () => {
  it("finds seeded patients by name without accents and by phone", async () => {
    // A database of its own: the demo emails are fixed.
    const database = await openTestDatabase({ kind: "pglite" });
    try {
      await seedDemoPeople(database.db, silentLogger);
      const byName = await listUsersPage(database.db, { role: "patient", limit: 10, q: "lucia" });
      expect(byName.users.map((u) => u.name)).toEqual(["Lúcia Ferreira"]);
      const byPhone = await listUsersPage(database.db, { role: "patient", limit: 10, q: "(11) 98765-0004" });
      expect(byPhone.users.map((u) => u.name)).toEqual(["Lúcia Ferreira"]);
    } finally {
      await database.close();
    }
  });
});
