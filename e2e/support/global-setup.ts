import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { migrateDatabase } from "../../scripts/migrate";
import { createDatabase } from "../../server/db/client";
import { ensureFirstAdmin } from "../../server/domain/users/ensure-first-admin";
import {
  baseDatabaseUrl,
  createTestDatabase,
  dropTestDatabase,
  newTestDatabaseName,
  urlForDatabase,
} from "../../server/testing/test-database";
import { registerDemo } from "../../scripts/register-demo";
import { removeRunKeys, removeRunUsers, straysMessage } from "../../server/testing/run-redis-keys";
import { ensureTestImage } from "../../server/testing/test-image";
import { startLocalAgent } from "./local-agent";
import { startPortal, stopPortal } from "./portal-process";
import { RUN_STATE_FILE, type RunState } from "./run-state";

/**
 * Default: a database of this run's own and a portal started from the current build on port 3210.
 * With E2E_BASE_URL (and EDUCLOUD_ADMIN_PASSWORD): the specs drive an already installed portal instead,
 * which is how .ci/run checks what `npm run setup && npm start` produced.
 */
export default async function globalSetup() {
  mkdirSync("e2e/.artifacts/screenshots", { recursive: true });
  if (process.env.E2E_BASE_URL) {
    const state: RunState = {
      baseURL: process.env.E2E_BASE_URL,
      adminUsername: process.env.EDUCLOUD_ADMIN_USER ?? "admin",
      adminPassword: process.env.EDUCLOUD_ADMIN_PASSWORD ?? "",
      portalEnv: {},
      ownsPortal: false,
    };
    if (!state.adminPassword)
      throw new Error("E2E_BASE_URL needs EDUCLOUD_ADMIN_PASSWORD (the installed admin's password).");
    writeFileSync(RUN_STATE_FILE, JSON.stringify(state));
    return;
  }

  const base = baseDatabaseUrl();
  const name = newTestDatabaseName("e2e");
  await createTestDatabase(base, name);
  const url = urlForDatabase(base, name);
  await migrateDatabase(url);
  const adminPassword = `e2e-${randomBytes(9).toString("base64url")}`;
  const storeDir = await mkdtemp(join(tmpdir(), "educloud-e2e-store-"));
  const { db, pool } = createDatabase(url);
  await ensureFirstAdmin(db, { username: "admin", password: adminPassword });
  await registerDemo(db, storeDir, await ensureTestImage());

  const port = Number(process.env.E2E_PORT ?? 3210);
  const portalEnv = {
    DATABASE_URL: url,
    REDIS_PREFIX: name,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "info",
    LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
    LOGIN_MAX_FAILURES_PER_ADDRESS: "100",
    // Every spec signs in from 127.0.0.1: no progressive delay for the one address.
    LOGIN_DELAY_AFTER_FAILURES: "100",
    IMAGE_STORE_DIR: storeDir,
    // The e2e host has 2 cores: at the default 4× only 8 one-vCPU machines fit, and the lesson spec
    // starts one per student for a class of 30 (idle TCG guests; RAM, 30 × 256 MiB, fits as is).
    CPU_OVERCOMMIT: "16",
  };
  const portal = await startPortal({ port, env: portalEnv, logFile: "e2e/.artifacts/portal.log" });
  const agent = await startLocalAgent({
    db,
    portalUrl: `http://127.0.0.1:${port}`,
    logFile: "e2e/.artifacts/agent.log",
  });
  const state: RunState = {
    baseURL: `http://127.0.0.1:${port}`,
    adminUsername: "admin",
    adminPassword,
    portalEnv,
    ownsPortal: true,
    agentStateDir: agent.stateDir,
    agentNetns: agent.netns,
  };
  writeFileSync(RUN_STATE_FILE, JSON.stringify(state));

  return async () => {
    await agent.stop();
    await pool.end();
    await rm(storeDir, { recursive: true, force: true });
    stopPortal(portal);
    if (process.env.EDUCLOUD_KEEP_TEST_DB !== "1") await dropTestDatabase(base, name);
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      await removeRunUsers(redis, name);
      const { strays } = await removeRunKeys(redis, name);
      // Fails the run: a key outside the namespace would otherwise stay behind after every run. The
      // runner only logs an error thrown here, so the exit code is set as well.
      if (strays.length) {
        process.exitCode = 1;
        throw new Error(straysMessage(name, strays));
      }
    } finally {
      redis.disconnect();
    }
  };
}
