import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema and applied by scripts/migrate.ts (also on `npm start`).
export default defineConfig({
  dialect: "mysql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "mysql://educloud@127.0.0.1:3306/educloud" },
});
