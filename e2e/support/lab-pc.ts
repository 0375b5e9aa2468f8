// A lab PC as the portal sees it over HTTP, without QEMU: it joins with a one-time token (into a
// cluster when the token names one) and, in local mode, asks for the profiles it may offer and reports
// the runs of its local desktops (agents/protocol/local.ts) — the agent's own requests, made by hand.
import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { hostAuthHeader } from "../../agents/protocol";
import {
  LOCAL_PROFILES_PATH,
  LOCAL_USAGE_PATH,
  type LocalProfilesResponse,
  type LocalUsageRecord,
} from "../../agents/protocol/local";
import { callTrpc } from "./trpc";

/** What an agent reports about its machine when it joins (a small PC without KVM). */
export const PC_FACTS = {
  hostname: "lab-pc-7",
  cpuModel: "Lab CPU",
  cpuCount: 4,
  memoryMiB: 8192,
  diskFreeBytes: 100e9,
  diskTotalBytes: 200e9,
  storageDir: "/var/lib/educloud-agent",
  hypervisors: [{ kind: "qemu", available: true, version: "7.2" }],
  kvmUsable: false,
  kvmReason: "e2e",
  agentVersion: "e2e",
  protocolVersion: 4,
};

export interface LabPc {
  hostId: string;
  name: string;
  authorization: string;
}

/** Joins a PC named `name` with a join token the signed-in superAdm issues (into `clusterId`). */
export async function joinLabPc(
  request: APIRequestContext,
  opts: { name: string; clusterId: number | null; consoleUrl: string },
): Promise<LabPc> {
  const { token } = await callTrpc<{ token: string }>(
    request,
    "hosts.createJoinToken",
    { clusterId: opts.clusterId },
    "mutation",
  );
  const joined = await request.post("/api/v1/agent/join", {
    data: { token, name: opts.name, facts: PC_FACTS, consoleUrl: opts.consoleUrl },
  });
  expect(joined.status(), await joined.text()).toBe(200);
  const { hostId, hostSecret } = (await joined.json()) as { hostId: string; hostSecret: string };
  return { hostId, name: opts.name, authorization: hostAuthHeader(hostId, hostSecret) };
}

/** The launcher's list: anonymous (public profiles), or after a person signed in at the PC. */
export async function localProfilesAt(
  request: APIRequestContext,
  pc: LabPc,
  signIn: { username: string; password: string } | null = null,
): Promise<LocalProfilesResponse> {
  const res = await request.post(LOCAL_PROFILES_PATH, {
    headers: { authorization: pc.authorization },
    data: signIn ?? {},
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as LocalProfilesResponse;
}

/** Reports one run (started now unless given); the same id again with `endedAt` ends it. */
export async function reportLocalRun(
  request: APIRequestContext,
  pc: LabPc,
  run: Partial<LocalUsageRecord> & Pick<LocalUsageRecord, "profileId" | "profileName" | "profileVersion">,
): Promise<LocalUsageRecord> {
  const record: LocalUsageRecord = {
    id: randomUUID(),
    userId: null,
    startedAt: new Date(),
    endedAt: null,
    ...run,
  };
  const res = await request.post(LOCAL_USAGE_PATH, {
    headers: { authorization: pc.authorization },
    data: { records: [record] },
  });
  expect(res.status(), await res.text()).toBe(200);
  return record;
}
