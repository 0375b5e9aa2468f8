import { drizzle, type MySql2Database } from "drizzle-orm/mysql2";
import mysql from "mysql2/promise";
import * as schema from "@/db/schema";

export type Database = MySql2Database<typeof schema>;

export interface DatabaseHandle {
  db: Database;
  pool: mysql.Pool;
}

/** A pool that fails fast when MariaDB is down, and heals by itself when it returns. */
export function createDatabase(url: string, opts: { connectionLimit?: number } = {}): DatabaseHandle {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: opts.connectionLimit ?? 10,
    connectTimeout: 3000,
    enableKeepAlive: true,
    timezone: "Z",
    dateStrings: false,
  });
  return { db: drizzle(pool, { schema, mode: "default" }), pool };
}
