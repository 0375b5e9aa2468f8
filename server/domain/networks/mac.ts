// MAC addresses for instance NICs (server only: it draws on node:crypto).
import { randomBytes } from "node:crypto";

/**
 * A random locally administered unicast MAC (x2:…, x6:…, xa:…, xe:…). 46 random bits: collisions are
 * rare, and the unique index turns the rare one into a retry rather than two NICs with one MAC.
 */
export function generateMac(random: () => Buffer = () => randomBytes(6)): string {
  const b = random();
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b.subarray(0, 6)].map((x) => x.toString(16).padStart(2, "0")).join(":");
}
