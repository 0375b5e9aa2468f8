// Applies pending Drizzle migrations (db/migrations). Run by setup and by every `npm start`.
import { migrate } from "drizzle-orm/mysql2/migrator";
import { createDatabase } from "../server/db/client";
import { env } from "../server/env";

export async function migrateDatabase(url: string): Promise<void> {
  const { db, pool } = createDatabase(url);
  try {
    await migrate(db, { migrationsFolder: new URL("../db/migrations", import.meta.url).pathname });
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateDatabase(env.DATABASE_URL)
    .then(() => console.log("Database migrations are up to date."))
    .catch((err) => {
      console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
