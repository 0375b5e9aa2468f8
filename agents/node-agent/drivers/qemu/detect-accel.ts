import { open, readFile } from "node:fs/promises";
import type { AgentMessage } from "../../../protocol/agent-message";

export interface AccelDecision {
  accel: "kvm" | "tcg";
  kvmUsable: boolean;
  /** Why KVM is not used, in words an operator can act on (English; reasonMessage is the same as a code). */
  reason?: string;
  reasonMessage?: AgentMessage;
}

/** What opening /dev/kvm read-write gave: "ok", or the errno code (ENOENT = missing). */
export type KvmDeviceProbe = "ok" | string;

/** The hardware virtualisation flag /proc/cpuinfo shows, if any (Intel vmx, AMD svm). */
export function findVirtualisationFlag(cpuinfo: string): "vmx" | "svm" | null {
  for (const line of cpuinfo.split("\n")) {
    if (!/^flags\s*:/.test(line)) continue;
    const flags = line
      .slice(line.indexOf(":") + 1)
      .trim()
      .split(/\s+/);
    if (flags.includes("vmx")) return "vmx";
    if (flags.includes("svm")) return "svm";
  }
  return null;
}

/**
 * KVM only where the CPU exposes vmx/svm AND /dev/kvm opens read-write. A /dev/kvm without the CPU
 * flag exists in some nested sandboxes, where a KVM guest hangs without output — so the flag is
 * checked first and its absence wins.
 */
export function decideAccel(cpuinfo: string, kvmDevice: KvmDeviceProbe): AccelDecision {
  if (!findVirtualisationFlag(cpuinfo)) {
    return {
      accel: "tcg",
      kvmUsable: false,
      reason: "the CPU exposes no vmx/svm flag",
      reasonMessage: { code: "agent.kvmNoCpuFlag", params: {} },
    };
  }
  if (kvmDevice === "ENOENT")
    return {
      accel: "tcg",
      kvmUsable: false,
      reason: "/dev/kvm is missing",
      reasonMessage: { code: "agent.kvmDeviceMissing", params: {} },
    };
  if (kvmDevice !== "ok")
    return {
      accel: "tcg",
      kvmUsable: false,
      reason: `/dev/kvm cannot be opened: ${kvmDevice}`,
      reasonMessage: { code: "agent.kvmDeviceUnusable", params: { error: kvmDevice } },
    };
  return { accel: "kvm", kvmUsable: true };
}

export async function probeKvmDevice(path = "/dev/kvm"): Promise<KvmDeviceProbe> {
  try {
    // Read-write, as QEMU opens it; Node sets O_CLOEXEC itself.
    const handle = await open(path, "r+");
    await handle.close();
    return "ok";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/** Reads the host and decides; never throws (an unreadable cpuinfo means no flag, so TCG). */
export async function detectAccel(
  opts: { cpuinfoPath?: string; kvmPath?: string } = {},
): Promise<AccelDecision> {
  const cpuinfo = await readFile(opts.cpuinfoPath ?? "/proc/cpuinfo", "utf8").catch(() => "");
  const decision = decideAccel(cpuinfo, "ok");
  // Only touch /dev/kvm when the CPU could use it at all.
  if (!decision.kvmUsable) return decision;
  return decideAccel(cpuinfo, await probeKvmDevice(opts.kvmPath));
}
