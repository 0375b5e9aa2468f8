import "server-only";
import { getServices } from "@/server/services";
import type { DatabaseHandle } from "./client";

// The process's one request pool, from the composition root (server/services.ts).
export const dbHandle: DatabaseHandle = getServices().dbHandle;
export const db = dbHandle.db;
