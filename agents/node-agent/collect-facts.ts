import { statfs } from "node:fs/promises";
import os from "node:os";
import { PROTOCOL_VERSION, type HostFacts } from "../protocol/index";
import type { DriverRegistry } from "./drivers/driver-registry";

export const AGENT_VERSION = "0.1.0";

/** What the host is; the console address is not a fact (it is pinned at join: pinned-console.ts). */
export async function collectFacts(
  storageDir: string,
  drivers: Pick<DriverRegistry, "detect">,
  /** Local mode (a lab PC): told to the portal, which then places nothing here. */
  opts: { localMode?: boolean } = {},
): Promise<HostFacts> {
  const fs = await statfs(storageDir);
  const detected = await drivers.detect();
  // KVM is the host's (/dev/kvm): any driver that probes for it tells.
  const accel = detected.find((d) => d.accel)?.accel;
  return {
    hostname: os.hostname(),
    cpuModel: os.cpus()[0]?.model?.trim() || "unknown",
    cpuCount: os.cpus().length,
    memoryMiB: Math.floor(os.totalmem() / 1024 / 1024),
    diskFreeBytes: fs.bavail * fs.bsize,
    diskTotalBytes: fs.blocks * fs.bsize,
    storageDir,
    hypervisors: detected.map((d) => ({
      kind: d.kind,
      available: d.available,
      version: d.version,
      reason: d.reason,
    })),
    kvmUsable: accel?.kvmUsable ?? false,
    kvmReason: accel?.reason,
    kvmReasonMessage: accel?.reasonMessage,
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    ...(opts.localMode ? { localMode: true } : {}),
  };
}
