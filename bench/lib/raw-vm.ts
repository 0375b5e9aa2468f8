// The raw floor: exactly what the QEMU driver does to bring a VM up, with none of the cloud around it.
// Same helpers and argv as agents/node-agent/drivers/qemu/qemu-driver.ts create()/launch():
// createOverlay (qemu-img info of the base + qemu-img create of the overlay), buildQemuArgs with the
// same machine/accelerator/sandbox, spawnDetachedQemu, the pidfile, then QMP greeting + capabilities
// and query-status = running.
import { join } from "node:path";
import { execFile } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import {
  buildQemuArgs,
  type QemuAccel,
  type QemuMachine,
} from "@/agents/node-agent/drivers/qemu/build-qemu-args";
import type { GuestCpuGroup } from "@/agents/node-agent/drivers/qemu/guest-cpu-group";
import { createOverlay } from "@/agents/node-agent/drivers/qemu/disk-image";
import { mapQemuRunState } from "@/agents/node-agent/drivers/qemu/map-run-state";
import { QmpClient } from "@/agents/node-agent/drivers/qemu/qmp-client";
import { spawnDetachedQemu } from "@/agents/node-agent/drivers/qemu/spawn-detached-qemu";
import { stopVmProcess } from "@/agents/node-agent/drivers/qemu/stop-vm-process";
import { resolveVmPaths, type VmPaths } from "@/agents/node-agent/drivers/qemu/vm-paths";
import { readPidfile } from "@/agents/node-agent/drivers/qemu/vm-process";

const GiB = 1024 ** 3;

export interface RawConfig {
  stateDir: string;
  baseImagePath: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  accel: QemuAccel;
  machine: QemuMachine;
  sandbox: boolean;
  qemuBinary: string;
  cpuGroup?: GuestCpuGroup;
}

export interface RawResult {
  id: string;
  paths: VmPaths;
  pid: number;
  /** performance.now() at the start and at each step's end. */
  start: number;
  overlayDone: number;
  spawned: number;
  qmpRunning: number;
  /** Date.now() when QMP said running (for the burst's common clock). */
  wallEnd: number;
}

/** Asks QEMU's help text whether -sandbox is supported, as the driver does (once per agent). */
export async function qemuSupportsSandbox(binary: string): Promise<boolean> {
  const { stdout } = await promisify(execFile)(binary, ["-help"], {
    timeout: 10_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  return /^-sandbox\s/m.test(stdout);
}

export async function rawProvision(cfg: RawConfig, id: string): Promise<RawResult> {
  const start = performance.now();
  const paths = resolveVmPaths(cfg.stateDir, id);
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await createOverlay({
    basePath: cfg.baseImagePath,
    baseFormat: "qcow2",
    overlayPath: paths.disk,
    sizeBytes: Math.ceil(cfg.diskGiB * GiB),
  });
  const overlayDone = performance.now();
  const spec = {
    id,
    name: id,
    vcpus: cfg.vcpus,
    memoryMiB: cfg.memoryMiB,
    diskGiB: cfg.diskGiB,
    baseImagePath: cfg.baseImagePath,
    baseImageFormat: "qcow2" as const,
    accel: cfg.accel,
  };
  await mkdir(paths.qemuDir, { recursive: true, mode: 0o700 });
  // Started the way the driver starts it (detached, ready once the pidfile and QMP socket exist), as the
  // bench's own user: the floor leaves out the privilege drop, a few milliseconds of setpriv.
  await spawnDetachedQemu(
    cfg.qemuBinary,
    buildQemuArgs(spec, paths, { accel: cfg.accel, machine: cfg.machine, sandbox: cfg.sandbox }),
    {
      logFile: join(paths.runDir, "qemu.log"),
      pidfile: paths.pidfile,
      readySocket: paths.qmpSocket,
      cpuGroup: cfg.cpuGroup,
    },
  );
  const pid = await readPidfile(paths.pidfile);
  if (pid === null) throw new Error(`QEMU wrote no pidfile at ${paths.pidfile}`);
  const spawned = performance.now();
  const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 10_000 });
  try {
    const state = mapQemuRunState((await qmp.execute<{ status: string }>("query-status")).status);
    if (state !== "running") throw new Error(`raw VM ${id} reports ${state}`);
  } finally {
    qmp.close();
  }
  const qmpRunning = performance.now();
  return { id, paths, pid, start, overlayDone, spawned, qmpRunning, wallEnd: Date.now() };
}

/** Stops the VM like the driver's delete (no ACPI; QMP quit, SIGKILL last) and removes its files. */
export async function rawDestroy(r: Pick<RawResult, "paths" | "pid">): Promise<void> {
  await stopVmProcess(r.paths, r.pid, { acpiTimeoutMs: null, quitTimeoutMs: 3_000 });
  await rm(r.paths.runDir, { recursive: true, force: true });
}
