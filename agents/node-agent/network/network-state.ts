import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import { networkSpecSchema } from "../../protocol/network";

/**
 * What the agent applied last for one network, kept in its run directory so a restarted agent still
 * ignores older specs and knows which VLAN device it created (and may delete).
 */
const appliedNetworkSchema = z.object({
  networkId: z.string(),
  revision: z.number().int().min(0),
  bridge: z.string(),
  /** The device enslaved to the bridge: the uplink itself or the VLAN device on it. */
  uplinkDevice: z.string().nullable(),
  /** A VLAN device this agent created (deleted with the network); null when none. */
  vlanDevice: z.string().nullable(),
  appliedAt: z.string(),
  /** The spec itself: rebuilt from here when the host lost the network (reboot) and only older specs arrive. */
  spec: networkSpecSchema,
});
export type AppliedNetwork = z.infer<typeof appliedNetworkSchema>;

/** null when missing or unreadable: the network is then treated as never applied. */
export async function readAppliedNetwork(path: string): Promise<AppliedNetwork | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    return appliedNetworkSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

export async function writeAppliedNetwork(path: string, state: AppliedNetwork): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
