// Registers the tiny test guest as a public demo image and a small flavor, so a new user can launch a
// VM right after install. Idempotent: does nothing when they exist. Usage: tsx scripts/register-demo.ts IMAGE.qcow2
import { randomUUID } from "node:crypto";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { flavors, images } from "../db/schema";
import { createDatabase, type Database } from "../server/db/client";
import { importImage, incomingDir } from "../server/domain/images/import-image";

export const DEMO_IMAGE_NAME = "eduCloud test guest";
export const DEMO_FLAVOR = { name: "m1.tiny", vcpus: 1, memoryMiB: 256, diskGiB: 1 };

export async function registerDemo(db: Database, storeDir: string, source: string): Promise<string[]> {
  const said: string[] = [];
  if (!(await db.select().from(images).where(eq(images.name, DEMO_IMAGE_NAME))).length) {
    await mkdir(incomingDir(storeDir), { recursive: true });
    const incomingPath = join(incomingDir(storeDir), randomUUID());
    await copyFile(source, incomingPath); // import moves the file; keep the built one
    const img = await importImage(
      { db, storeDir },
      {
        incomingPath,
        name: DEMO_IMAGE_NAME,
        format: "qcow2",
        visibility: "public",
        ownerId: null,
        osType: "linux",
      },
    );
    said.push(`Demo image registered (${img.sha256.slice(0, 12)}…).`);
  } else {
    said.push("Demo image is registered.");
  }
  if (!(await db.select().from(flavors).where(eq(flavors.name, DEMO_FLAVOR.name))).length) {
    await db.insert(flavors).values(DEMO_FLAVOR);
    said.push(`Flavor ${DEMO_FLAVOR.name} created.`);
  }
  return said;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { env } = await import("../server/env");
  const source = process.argv[2];
  if (!source) {
    console.error("usage: tsx scripts/register-demo.ts IMAGE.qcow2");
    process.exit(2);
  }
  const { db, pool } = createDatabase(env.DATABASE_URL);
  try {
    for (const line of await registerDemo(db, env.IMAGE_STORE_DIR, source)) console.log(line);
  } finally {
    await pool.end();
  }
}
