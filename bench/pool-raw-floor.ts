// The raw floors of the desktop-pool benchmark (bench/pool.ts): what bringing desktops up costs with none
// of the cloud around it, on this machine, with the same helpers and argv as the QEMU driver builds for a
// throw-away desktop (agents/node-agent/drivers/qemu/qemu-driver.ts create()/reset()/launch()): the
// overlay made over the cached test image (createOverlay), buildQemuArgs with the desktop's hardware
// model and the driver's machine/accelerator/sandbox, spawnDetachedQemu, then QMP query-status = running.
//
//   measureRawFloor(n = 30): n overlays + n QEMU spawned all at once until each QMP says running.
//   measureRawReset():       one running desktop reset: QEMU killed, its overlay re-made, spawned again.
//
// Standalone: `npx tsx bench/pool-raw-floor.ts [n]` prints raw_floor_ms= and raw_reset_ms=.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { buildQemuArgs } from "@/agents/node-agent/drivers/qemu/build-qemu-args";
import { createOverlay } from "@/agents/node-agent/drivers/qemu/disk-image";
import { mapQemuRunState } from "@/agents/node-agent/drivers/qemu/map-run-state";
import { DEFAULT_OVMF_CODE } from "@/agents/node-agent/drivers/qemu/qemu-driver";
import { openGuestCpuGroup, type GuestCpuGroup } from "@/agents/node-agent/drivers/qemu/guest-cpu-group";
import { QmpClient } from "@/agents/node-agent/drivers/qemu/qmp-client";
import { spawnDetachedQemu } from "@/agents/node-agent/drivers/qemu/spawn-detached-qemu";
import { stopVmProcess } from "@/agents/node-agent/drivers/qemu/stop-vm-process";
import { resolveVmPaths, type VmPaths } from "@/agents/node-agent/drivers/qemu/vm-paths";
import { readPidfile } from "@/agents/node-agent/drivers/qemu/vm-process";
import type { VmSpec } from "@/agents/node-agent/drivers/hypervisor-driver";
import { DEFAULT_HARDWARE, type HardwareInput } from "@/agents/protocol/hardware";
import { ensureTestImage } from "@/server/testing/test-image";
import { qemuSupportsSandbox } from "./lib/raw-vm";

const GiB = 1024 ** 3;

export interface RawDesktopOptions {
  /** Default 256 MiB, 1 vCPU, 1 GiB disk: the bench's desktop flavor. */
  memoryMiB?: number;
  vcpus?: number;
  diskGiB?: number;
  /** The profile's hardware model; default the desktop defaults (BIOS, virtio, USB tablet, en-us). */
  hardware?: HardwareInput;
  /** The cached base; default the test guest (built if missing). */
  baseImagePath?: string;
  qemuBinary?: string;
}

interface RawDesktop {
  paths: VmPaths;
  spec: VmSpec;
  pid: number;
}

interface Env {
  cpuGroup: GuestCpuGroup;
  stateDir: string;
  base: string;
  sandbox: boolean;
  qemu: string;
  opts: RawDesktopOptions;
}

async function prepareEnv(opts: RawDesktopOptions): Promise<Env> {
  const qemu = opts.qemuBinary ?? "qemu-system-x86_64";
  return {
    // The same shared CPU group the driver puts every guest in.
    cpuGroup: await openGuestCpuGroup(),
    // Short and under /tmp: unix socket paths are limited to 107 bytes.
    stateDir: await mkdtemp("/tmp/prf-"),
    base: opts.baseImagePath ?? (await ensureTestImage()),
    sandbox: await qemuSupportsSandbox(qemu),
    qemu,
    opts,
  };
}

function desktopSpec(env: Env, i: number): VmSpec {
  return {
    id: `raw-${i}`,
    name: `raw-${i}`,
    vcpus: env.opts.vcpus ?? 1,
    memoryMiB: env.opts.memoryMiB ?? 256,
    diskGiB: env.opts.diskGiB ?? 1,
    baseImagePath: env.base,
    baseImageFormat: "qcow2",
    accel: "tcg",
    hardware: env.opts.hardware ?? DEFAULT_HARDWARE,
    throwaway: true,
  };
}

/** The overlay made fresh (the driver's makeFreshDisk), then QEMU up until QMP says running. */
async function bringUp(env: Env, spec: VmSpec): Promise<RawDesktop> {
  const paths = resolveVmPaths(env.stateDir, spec.id);
  await mkdir(paths.qemuDir, { recursive: true, mode: 0o700 });
  await rm(paths.disk, { force: true });
  await createOverlay({
    basePath: spec.baseImagePath,
    baseFormat: spec.baseImageFormat,
    overlayPath: paths.disk,
    sizeBytes: Math.ceil(spec.diskGiB * GiB),
  });
  await rm(paths.qmpSocket, { force: true });
  await rm(paths.pidfile, { force: true });
  await spawnDetachedQemu(
    env.qemu,
    buildQemuArgs(spec, paths, {
      accel: "tcg",
      machine: "q35",
      sandbox: env.sandbox,
      firmwareCode: DEFAULT_OVMF_CODE,
    }),
    {
      logFile: join(paths.runDir, "qemu.log"),
      pidfile: paths.pidfile,
      readySocket: paths.qmpSocket,
      cpuGroup: env.cpuGroup,
    },
  );
  const pid = await readPidfile(paths.pidfile);
  if (pid === null) throw new Error(`QEMU wrote no pidfile at ${paths.pidfile}`);
  const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 30_000 });
  try {
    const state = mapQemuRunState((await qmp.execute<{ status: string }>("query-status")).status);
    if (state !== "running") throw new Error(`raw desktop ${spec.id} reports ${state}`);
  } finally {
    qmp.close();
  }
  return { paths, spec, pid };
}

/** Off at once, as reset and delete do (QMP quit, signals last). */
async function powerOff(d: RawDesktop): Promise<void> {
  await stopVmProcess(d.paths, d.pid, { acpiTimeoutMs: null, quitTimeoutMs: 3_000 });
}

async function cleanUp(env: Env, up: RawDesktop[]): Promise<void> {
  await Promise.allSettled(up.map(powerOff));
  await rm(env.stateDir, { recursive: true, force: true });
}

/** ms from nothing to n throw-away desktops running (all spawned in parallel). Cleans up after itself. */
export async function measureRawFloor(n = 30, opts: RawDesktopOptions = {}): Promise<number> {
  const env = await prepareEnv(opts);
  const up: RawDesktop[] = [];
  try {
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => bringUp(env, desktopSpec(env, i)).then((d) => up.push(d))),
    );
    const ms = performance.now() - started;
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return Math.round(ms);
  } finally {
    await cleanUp(env, up);
  }
}

/**
 * ms of one reset of a running throw-away desktop at the raw floor: QEMU powered off at once, the
 * overlay re-made, QEMU spawned until QMP says running. Cleans up after itself.
 */
export async function measureRawReset(opts: RawDesktopOptions = {}): Promise<number> {
  const env = await prepareEnv(opts);
  const up: RawDesktop[] = [];
  try {
    const spec = desktopSpec(env, 0);
    const first = await bringUp(env, spec);
    up.push(first);
    const started = performance.now();
    await powerOff(first);
    up.pop();
    up.push(await bringUp(env, spec));
    return Math.round(performance.now() - started);
  } finally {
    await cleanUp(env, up);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const n = Number(process.argv[2] ?? 30);
  const floor = await measureRawFloor(n);
  process.stdout.write(`raw_floor_n=${n}\nraw_floor_ms=${floor}\n`);
  const reset = await measureRawReset();
  process.stdout.write(`raw_reset_ms=${reset}\n`);
}
