import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import mysql from "mysql2/promise";

/**
 * Tests never touch the real database: each run gets its own `educloud_test_<stamp>_<rand>`, reached with
 * the credentials setup wrote to .env (setup grants that user rights on educloud_test_* only).
 */
export function baseDatabaseUrl(): URL {
  if (!process.env.DATABASE_URL && existsSync(".env")) process.loadEnvFile(".env");
  const url = process.env.EDUCLOUD_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      "No DATABASE_URL: run `npm run setup` first (it writes .env and the test database grant).",
    );
  return new URL(url);
}

export function newTestDatabaseName(kind = "run"): string {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(2, 14);
  return `educloud_test_${kind}_${stamp}_${randomBytes(3).toString("hex")}`;
}

export function urlForDatabase(base: URL, name: string): string {
  const u = new URL(base.toString());
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(base: URL, name: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: urlForDatabase(base, "") });
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function dropTestDatabase(base: URL, name: string): Promise<void> {
  if (!name.startsWith("educloud_test_")) throw new Error(`refusing to drop ${name}`);
  const conn = await mysql.createConnection({ uri: urlForDatabase(base, "") });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}
