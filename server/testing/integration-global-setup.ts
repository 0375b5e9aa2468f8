import { Redis } from "ioredis";
import { migrateDatabase } from "../../scripts/migrate";
import { removeRunKeys, removeRunUsers, straysMessage } from "./run-redis-keys";
import {
  baseDatabaseUrl,
  createTestDatabase,
  dropTestDatabase,
  newTestDatabaseName,
  urlForDatabase,
} from "./test-database";

/** Creates this run's database and Redis prefix; test files inherit them through the environment. */
export default async function setup() {
  const base = baseDatabaseUrl();
  const name = newTestDatabaseName("int");
  await createTestDatabase(base, name);
  const url = urlForDatabase(base, name);
  await migrateDatabase(url);
  process.env.DATABASE_URL = url;
  process.env.REDIS_PREFIX = name;
  process.env.NEXTAUTH_SECRET ??= "integration-tests-secret-integration-tests-secret";
  process.env.LOG_LEVEL = "silent";
  (process.env as Record<string, string>).NODE_ENV = "test";

  return async () => {
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
