// A joined-looking host with a real credential (the fixtures' makeHost stores a hash nobody knows), and
// a HostChannelPort that records what the domain asked of Redis. Used by the host-lifecycle tests here.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { hostAuthHeader } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import type { HostChannelPort } from "@/server/domain/context";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { makeHost, type TestServices } from "@/server/testing/fixtures";

export async function hostWithCredential(
  s: TestServices,
  over: Parameters<typeof makeHost>[1] = {},
): Promise<{ hostId: string; secret: string; authorization: string }> {
  const hostId = await makeHost(s, over);
  const secret = randomBytes(32).toString("base64url");
  await s.db
    .update(hosts)
    .set({ secretHash: sha256Hex(secret) })
    .where(eq(hosts.id, hostId));
  return { hostId, secret, authorization: hostAuthHeader(hostId, secret) };
}

export function recordingHostChannel(): HostChannelPort & {
  calls: { op: "grant" | "revoke"; hostId: string; secretHash?: string }[];
} {
  const calls: { op: "grant" | "revoke"; hostId: string; secretHash?: string }[] = [];
  return {
    calls,
    async grant(hostId, secretHash) {
      calls.push({ op: "grant", hostId, secretHash });
    },
    async revoke(hostId) {
      calls.push({ op: "revoke", hostId });
    },
  };
}
