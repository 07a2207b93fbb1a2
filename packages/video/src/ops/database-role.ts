/**
 * The pods' database login: a least-privilege role (no DDL, no ownership, not the master user),
 * reached over TLS verified against the RDS CA bundle.
 *
 * `npm run video:deploy` creates or updates the role through the RDS Data API as the master user
 * (the migrations, run by the deploy Script as master, own every table). The password is never sent:
 * PostgreSQL stores a SCRAM-SHA-256 verifier, and accepts one in `PASSWORD '...'`, so the SQL (and
 * any statement log or Data API trail) carries the verifier, computed here.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** Where the pods mount ConfigMap rds-ca (k8s/base/core/deployment.yaml). */
export const RDS_CA_PATH = "/etc/healthflow/rds-ca/ca.pem";

/** PostgreSQL's SCRAM-SHA-256 verifier for `password` (RFC 5802/7677, as libpq's PQencryptPasswordConn). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error("scramVerifier: printable ASCII passwords only (no SASLprep)");
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The statements, one each (the Data API runs one per call), idempotent: create or update the login,
 * then read/write on the tables and sequences (those there now and those later migrations create).
 */
export function appRoleStatements(user: string, database: string, verifier: string): string[] {
  if (!IDENT.test(user) || !IDENT.test(database))
    throw new Error("appRoleStatements: plain lower-case identifiers only");
  if (!/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(verifier)) {
    throw new Error("appRoleStatements: not a SCRAM-SHA-256 verifier");
  }
  return [
    `DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN
    ALTER ROLE ${user} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS PASSWORD '${verifier}';
  ELSE
    CREATE ROLE ${user} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS PASSWORD '${verifier}';
  END IF;
END $$`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `GRANT CONNECT ON DATABASE ${database} TO ${user}`,
    `GRANT USAGE ON SCHEMA public TO ${user}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${user}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${user}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${user}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${user}`,
  ];
}

/** The pods' DATABASE_URL: the app role, TLS with the server's name checked against the RDS CA. */
export function appDatabaseUrl(s: {
  username: string;
  password: string;
  host: string;
  port?: number;
  database: string;
}) {
  const u = new URL("postgres://placeholder");
  u.username = encodeURIComponent(s.username);
  u.password = encodeURIComponent(s.password);
  u.hostname = s.host;
  u.port = String(s.port ?? 5432);
  u.pathname = `/${encodeURIComponent(s.database)}`;
  u.search = `sslmode=verify-full&sslrootcert=${RDS_CA_PATH}`;
  return u.toString();
}
