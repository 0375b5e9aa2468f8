import "server-only";
import { env } from "@/server/env";
import { createDatabase, type DatabaseHandle } from "./client";

// One pool per process, kept across hot reloads in development.
const globalForDb = globalThis as unknown as { educloudDb?: DatabaseHandle };
export const dbHandle: DatabaseHandle = (globalForDb.educloudDb ??= createDatabase(env.DATABASE_URL));
export const db = dbHandle.db;
