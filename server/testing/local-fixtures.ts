// Local-mode fixtures: a lab PC as a host row with a known secret, and the test guest imported into the
// image store (for routes that serve its bytes).
import { randomBytes, randomUUID } from "node:crypto";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { hostAuthHeader } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import { makeCluster, makeHost, type TestServices } from "./fixtures";
import { ensureTestImage } from "./test-image";

/**
 * A joined lab PC in a local desktops cluster of its own (`local: false`: a host in no cluster), also
 * disabled and long silent, so no other test's scheduler picks it.
 */
export async function makeLocalHost(
  s: TestServices,
  opts: { local?: boolean } = {},
): Promise<{ hostId: string; hostSecret: string; authorization: string }> {
  const hostId = await makeHost(s, { enabled: false, up: false });
  const hostSecret = randomBytes(32).toString("base64url");
  const clusterId = opts.local === false ? null : await makeCluster(s, "local");
  await s.db
    .update(hosts)
    .set({ secretHash: sha256Hex(hostSecret), clusterId })
    .where(eq(hosts.id, hostId));
  return { hostId, hostSecret, authorization: hostAuthHeader(hostId, hostSecret) };
}

/** The test guest in the image store as an image row of its own. */
export async function importTestGuest(
  s: TestServices,
  storeDir: string,
  visibility: "public" | "group" = "public",
): Promise<string> {
  await mkdir(incomingDir(storeDir), { recursive: true });
  const incomingPath = join(incomingDir(storeDir), randomUUID());
  await copyFile(await ensureTestImage(), incomingPath);
  return (
    await importImage(
      { db: s.db, storeDir },
      {
        incomingPath,
        name: `local guest ${randomUUID().slice(0, 8)}`,
        format: "qcow2",
        visibility,
        ownerId: null,
      },
    )
  ).id;
}
