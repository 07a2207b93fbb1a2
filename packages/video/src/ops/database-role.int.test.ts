/**
 * The pods' database login, on the real PostgreSQL server:
 * - the statements video:deploy sends (as the master user) make a role that reads and writes the
 *   tables (those there and those later migrations add) but cannot create, drop or own anything;
 *   the migration check the pods run on start (and the migrate Job) still passes with it;
 * - the SCRAM verifier computed here is accepted as that role's password;
 * - the DATABASE_URL video:deploy writes (sslmode=verify-full + sslrootcert) makes the app's own
 *   pg pool (createDb) verify the server's certificate and name against the CA file: through a TLS
 *   front on loopback with a throw-away CA, the right CA connects, another CA or another name fails.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import { createDb, migrateToLatest, pendingMigrations } from "@healthflow/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDatabaseUrl, appRoleStatements, RDS_CA_PATH, scramVerifier } from "./database-role.js";

const url = process.env.TEST_DATABASE_URL;
const suffix = Math.random().toString(36).slice(2, 8);
const database = `hf_role_${suffix}`;
const role = `hf_app_${suffix}`;

describe("appDatabaseUrl", () => {
  it("names the app role, verify-full and the mounted RDS CA bundle, with the password escaped", () => {
    const u = new URL(
      appDatabaseUrl({ username: "healthflow_app", password: "a/b@c", host: "db.x", database: "healthflow" }),
    );
    expect(decodeURIComponent(u.password)).toBe("a/b@c");
    expect(u.searchParams.get("sslmode")).toBe("verify-full");
    expect(u.searchParams.get("sslrootcert")).toBe(RDS_CA_PATH);
  });
});

describe.skipIf(!url)("the least-privilege role, on PostgreSQL", () => {
  let admin: pg.Client;
  let owner: pg.Client;
  const dbUrl = (user?: string, password?: string) => {
    const u = new URL(url!);
    u.pathname = `/${database}`;
    if (user) {
      u.username = user;
      u.password = password ?? "";
    }
    return u.toString();
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${database}`);
    owner = new pg.Client({ connectionString: dbUrl() });
    await owner.connect();
    // The migrations, as the Script runs them: as the owner.
    const handle = await createDb({ kind: "postgres", url: dbUrl() });
    await migrateToLatest(handle.db);
    await handle.close();
  });

  afterAll(async () => {
    await owner?.end();
    await admin?.query(`drop database if exists ${database} with (force)`);
    await admin?.query(`drop role if exists ${role}`);
    await admin?.end();
  });

  const apply = async (password: string) => {
    for (const sql of appRoleStatements(role, database, scramVerifier(password))) await owner.query(sql);
  };
  const asRole = async (password: string) => {
    const c = new pg.Client({ connectionString: dbUrl(role, password) });
    await c.connect();
    return c;
  };

  it("reads and writes every table, now and after a later migration, and nothing more", async () => {
    await apply("first-password-123");
    // A table a later migration adds (as the owner, after the grants).
    await owner.query("create table later_table (id serial primary key, note text)");
    const c = await asRole("first-password-123");
    try {
      await c.query("insert into later_table (note) values ('x')");
      expect((await c.query("select count(*)::int as n from later_table")).rows[0].n).toBe(1);
      await c.query("update later_table set note = 'y'");
      await c.query("delete from later_table");
      expect((await c.query("select count(*)::int as n from users")).rows[0].n).toBe(0);
      const who = await c.query(
        "select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user",
      );
      expect(who.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      for (const forbidden of [
        "create table sneaky (id int)",
        "drop table later_table",
        "alter table users add column x int",
        "truncate users",
        "create extension if not exists pgcrypto",
        `alter role ${role} superuser`,
      ]) {
        await expect(c.query(forbidden), forbidden).rejects.toThrow(
          /permission denied|must be (owner|superuser)|only roles with/i,
        );
      }
    } finally {
      await c.end();
    }
  });

  it("passes the migration check the pods and the migrate Job run at start (nothing pending, no DDL needed)", async () => {
    await apply("first-password-123");
    const handle = await createDb({ kind: "postgres", url: dbUrl(role, "first-password-123") });
    try {
      expect(await pendingMigrations(handle.db)).toEqual([]);
      expect(await migrateToLatest(handle.db)).toEqual({ applied: [] });
    } finally {
      await handle.close();
    }
  });

  it("is idempotent, and a new password replaces the old one", async () => {
    await apply("first-password-123");
    await apply("second-password-456");
    await expect(asRole("first-password-123")).rejects.toThrow(/password authentication failed/);
    const c = await asRole("second-password-456");
    await c.end();
  });
});

/** A TLS front for PostgreSQL: answers the SSLRequest with "S", terminates TLS, pipes to the server. */
async function tlsFront(target: URL, key: string, cert: string): Promise<{ port: number; server: Server }> {
  const server = createServer((client) => {
    client.once("data", (first) => {
      // SSLRequest: Int32 length 8, Int32 80877103.
      if (first.length !== 8 || first.readInt32BE(4) !== 80877103) {
        client.destroy();
        return;
      }
      client.write("S");
      const secure = new TLSSocket(client, { isServer: true, key, cert });
      const upstream = new Socket();
      upstream.connect(Number(target.port || 5432), target.hostname);
      secure.pipe(upstream).pipe(secure);
      const end = () => {
        secure.destroy();
        upstream.destroy();
      };
      secure.on("error", end);
      upstream.on("error", end);
      secure.on("close", end);
      upstream.on("close", end);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as { port: number }).port, server };
}

let openssl = false;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
  openssl = true;
} catch {
  openssl = false;
}

describe.skipIf(!url || !openssl)("sslmode=verify-full with a CA file, through the app's pg pool", () => {
  let front: { port: number; server: Server };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hf-rds-ca-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    for (const ca of ["ca", "other-ca"]) {
      ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${ca}.key`,
        "-out",
        `${ca}.pem`,
        "-days",
        "2",
        "-subj",
        `/CN=HealthFlow test ${ca}`,
      );
    }
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    );
    writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
    ssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "san.ext",
    );
    front = await tlsFront(
      new URL(url!),
      readFileSync(join(dir, "server.key"), "utf8"),
      readFileSync(join(dir, "server.pem"), "utf8"),
    );
  }, 60_000);

  afterAll(async () => {
    await new Promise((r) => front?.server.close(r));
  });

  const connect = async (host: string, caFile: string) => {
    const u = new URL(url!);
    u.hostname = host;
    u.port = String(front.port);
    u.search = `sslmode=verify-full&sslrootcert=${join(dir, caFile)}`;
    const handle = await createDb({ kind: "postgres", url: u.toString(), connectTimeoutMs: 5_000 });
    try {
      await handle.ping();
      return 1;
    } finally {
      await handle.close();
    }
  };

  it("connects when the server's certificate chains to the CA file and names the host", async () => {
    expect(await connect("localhost", "ca.pem")).toBe(1);
  });

  it("refuses a certificate from another CA", async () => {
    await expect(connect("localhost", "other-ca.pem")).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
  });

  it("refuses a certificate for another name (verify-full, not just verify-ca)", async () => {
    await expect(connect("127.0.0.1", "ca.pem")).rejects.toThrow(/altnames|does not match|Hostname\/IP/i);
  });
});
