import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { ConsoleKind } from "../../../protocol/console-grant";
import type { NicSpec } from "../../../protocol/network";
import type {
  Accelerator,
  ConsoleEndpoint,
  HypervisorDriver,
  HypervisorFacts,
  NicNetworkPort,
  ProgressReport,
  ResetBase,
  VmSize,
  VmSpec,
  VmStatus,
  VolumeAttachment,
} from "../hypervisor-driver";
import { buildQemuArgs, localDisplayEnv, type QemuMachine } from "./build-qemu-args";
import { detectAccel, type AccelDecision } from "./detect-accel";
import { createOverlay } from "./disk-image";
import { mapQemuRunState } from "./map-run-state";
import { InvalidVmConfigError, VmNotFoundError, VmNotRunningError } from "./qemu-errors";
import { withQmp } from "./qmp-client";
import { exportVmDisk } from "./qemu-capture";
import { resizeStoppedVm } from "./qemu-resize";
import { takeScreendump } from "./qemu-screenshot";
import {
  createDiskSnapshot,
  deleteDiskSnapshot,
  revertDiskSnapshot,
  type VmStorageAccess,
} from "./qemu-snapshots";
import {
  attachVolumeToVm,
  createVolumeFile,
  deleteVolumeFile,
  detachVolumeFromVm,
  volumePath,
} from "./qemu-volumes";
import { capSerialLog, DEFAULT_SERIAL_LOG_MAX_BYTES } from "./cap-serial-log";
import {
  canQemuUserOpenKvm,
  giveToQemuUser,
  letQemuUserRead,
  letQemuUserTraverse,
  lookUpQemuUser,
  missingQemuUserReason,
  prepareQemuDir,
  prepareSerialLog,
  reclaimQemuDir,
  type QemuUser,
} from "./qemu-user";
import { openGuestCpuGroup, type GuestCpuGroup, type GuestCpuGroupOptions } from "./guest-cpu-group";
import { spawnDetachedQemu } from "./spawn-detached-qemu";
import { isForcedStop, stopVmProcess, type StopMethod } from "./stop-vm-process";
import { readBaseImagePath, readVmRecord, writeVmRecord, type VmRecord } from "./vm-record";
import {
  assertQemuSafePath,
  assertSafeVmId,
  assertUsableVmPaths,
  isSafeVmId,
  resolveVmPaths,
  resolveVmsDir,
  type VmPaths,
} from "./vm-paths";
import { isVmProcessAlive, readPidfile } from "./vm-process";

const execFileAsync = promisify(execFile);
const GiB = 1024 ** 3;

export interface QemuDriverOptions {
  /** VMs live in `${stateDir}/vms/<id>/`. Keep it short: unix socket paths are limited to 107 bytes. */
  stateDir: string;
  qemuBinary?: string;
  qemuImgBinary?: string;
  machine?: QemuMachine;
  /** Host acceleration probe; replaceable in tests. */
  detectAccel?: () => Promise<AccelDecision>;
  /**
   * Start QEMU inside this network namespace (`ip netns exec`), where the agent's host networking
   * builds the taps; unset in production. Tests set it to keep VM traffic inside their namespaces.
   */
  netns?: string;
  /**
   * The unprivileged user QEMU runs as from its first instruction (started through setpriv, no -runas);
   * the agent passes EDUCLOUD_AGENT_QEMU_USER (default educloud-qemu). If that user does not exist, the
   * driver is not offered and refuses to start VMs (never root instead). Unset: QEMU runs as root
   * (EDUCLOUD_AGENT_QEMU_USER=root, and tests that build the driver themselves), still fully sandboxed.
   */
  runAs?: string;
  /** Serial logs are cut to `.1` above this size (cap-serial-log.ts). */
  serialLogMaxBytes?: number;
  /** How often running VMs' serial logs are checked against the cap. */
  serialLogCheckMs?: number;
  /** OVMF for UEFI guests: the code (read-only) and the variable-store template each VM gets a copy of. */
  ovmfCode?: string;
  ovmfVars?: string;
  /**
   * The CPU group all guests of the host share (guest-cpu-group.ts); default the group made by
   * openGuestCpuGroup() with its defaults; null: guests stay in their own sessions (niced only).
   */
  cpuGroup?: GuestCpuGroupOptions | null;
}

export const DEFAULT_OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const DEFAULT_OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";

const isUefi = (spec: VmSpec) => spec.hardware?.firmware === "uefi";

export class QemuDriver implements HypervisorDriver {
  readonly kind = "qemu" as const;
  private readonly qemuBinary: string;
  private readonly qemuImgBinary: string;
  private readonly machine: QemuMachine;
  private readonly probeAccel: () => Promise<AccelDecision>;
  private sandboxSupport: Promise<boolean> | undefined;
  private cpuGroup: Promise<GuestCpuGroup | undefined> | undefined;
  private readonly serialLogMaxBytes: number;
  private serialLogTimer: NodeJS.Timeout | undefined;
  /** One operation at a time per VM inside this agent (create/start/stop/reboot/delete, cleanup). */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** How the last stop of each VM ended, for logs and tests (is ACPI working in this guest?). */
  readonly lastStopMethod = new Map<string, StopMethod>();

  constructor(private readonly opts: QemuDriverOptions) {
    assertQemuSafePath(opts.stateDir, "stateDir");
    this.qemuBinary = opts.qemuBinary ?? "qemu-system-x86_64";
    this.qemuImgBinary = opts.qemuImgBinary ?? "qemu-img";
    this.machine = opts.machine ?? "q35";
    this.probeAccel = opts.detectAccel ?? (() => detectAccel());
    this.serialLogMaxBytes = opts.serialLogMaxBytes ?? DEFAULT_SERIAL_LOG_MAX_BYTES;
  }

  async detect(): Promise<HypervisorFacts> {
    const accel = await this.probeAccel();
    const facts: HypervisorFacts = {
      kind: "qemu",
      available: false,
      accel: { kvmUsable: accel.kvmUsable, reason: accel.reason, reasonMessage: accel.reasonMessage },
    };
    try {
      const { stdout } = await execFileAsync(this.qemuBinary, ["--version"], { timeout: 10_000 });
      facts.version = /version\s+(\S+)/i.exec(stdout)?.[1] ?? stdout.split("\n")[0]?.trim();
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      facts.reason = missing
        ? `${this.qemuBinary} is not installed (apt-get install -y qemu-system-x86)`
        : `${this.qemuBinary} --version failed: ${(error as Error).message}`;
      return facts;
    }
    try {
      await execFileAsync(this.qemuImgBinary, ["--version"], { timeout: 10_000 });
    } catch {
      facts.reason = `${this.qemuImgBinary} is not installed (apt-get install -y qemu-utils)`;
      return facts;
    }
    if (this.opts.runAs !== undefined) {
      if (!(await lookUpQemuUser(this.opts.runAs))) {
        facts.reason = missingQemuUserReason(this.opts.runAs);
        return facts;
      }
      try {
        await execFileAsync("setpriv", ["--version"], { timeout: 10_000 });
      } catch {
        facts.reason =
          "setpriv is not installed (apt-get install -y util-linux): QEMU cannot be started as its user";
        return facts;
      }
    }
    facts.available = true;
    return facts;
  }

  async create(spec: VmSpec, onProgress?: (p: ProgressReport) => void): Promise<VmStatus> {
    const paths = this.pathsFor(spec.id);
    assertQemuSafePath(spec.baseImagePath, "base image path");
    if (!(spec.diskGiB > 0)) throw new InvalidVmConfigError(`diskGiB must be positive, got ${spec.diskGiB}`);
    const report = (percent: number, message: string) => onProgress?.({ percent, message });
    return this.withVmLock(spec.id, async () => {
      // Jobs are retried with the same id: a VM that already has its record and disk is just started.
      const existing = await readVmRecord(paths.specFile);
      // A throw-away VM's disk is made at start, so its record alone means "built".
      if (existing && (existsSync(paths.disk) || existing.spec.throwaway)) {
        report(50, "starting QEMU");
        const status = await this.launch(paths, existing);
        report(100, "running");
        return status;
      }
      const fresh = !existsSync(paths.runDir);
      await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
      try {
        report(10, "creating disk");
        await this.makeFreshDisk(paths, spec);
        const record: VmRecord = {
          spec,
          ...(await this.chooseAccel(spec.accel)),
          machine: this.machine,
          createdAt: new Date().toISOString(),
        };
        await writeVmRecord(paths.specFile, record);
        report(40, "starting QEMU");
        const status = await this.launch(paths, record, { diskIsFresh: true });
        report(100, "running");
        return status;
      } catch (error) {
        // Leave nothing half-made behind: a retry starts from scratch.
        if (fresh) await rm(paths.runDir, { recursive: true, force: true });
        throw error;
      }
    });
  }

  async start(id: string): Promise<VmStatus> {
    const paths = this.pathsFor(id);
    return this.withVmLock(id, async () => {
      const record = await readVmRecord(paths.specFile);
      if (!record) throw new VmNotFoundError(id);
      return this.launch(paths, record);
    });
  }

  async stop(id: string, opts: { timeoutMs?: number } = {}): Promise<{ forced: boolean }> {
    const paths = this.pathsFor(id);
    return this.withVmLock(id, async () => {
      const pid = await this.findLivePid(paths);
      if (pid === null) {
        await this.removeRuntimeFiles(paths);
        await this.discardIfThrowaway(paths);
        return { forced: false };
      }
      const method = await stopVmProcess(paths, pid, { acpiTimeoutMs: opts.timeoutMs ?? 30_000 });
      this.lastStopMethod.set(id, method);
      await this.removeRuntimeFiles(paths);
      await this.discardIfThrowaway(paths);
      return { forced: isForcedStop(method) };
    });
  }

  async reboot(id: string): Promise<void> {
    const paths = this.pathsFor(id);
    await this.withVmLock(id, async () => {
      if ((await this.findLivePid(paths)) === null) throw new VmNotRunningError(id, "reboot");
      // A hard reset, like the reset button: the test guest and a hung guest reboot alike.
      await withQmp(paths.qmpSocket, (qmp) => qmp.execute("system_reset"));
    });
  }

  async delete(id: string): Promise<void> {
    const paths = this.pathsFor(id);
    await this.withVmLock(id, async () => {
      if (!existsSync(paths.runDir)) return;
      const pid = await this.findLivePid(paths);
      // The disk is about to go: no point waiting for the guest to shut down.
      if (pid !== null)
        this.lastStopMethod.set(
          id,
          await stopVmProcess(paths, pid, { acpiTimeoutMs: null, quitTimeoutMs: 3_000 }),
        );
      await reclaimQemuDir(resolveVmPaths(this.opts.stateDir, id).qemuDir);
      await rm(paths.runDir, { recursive: true, force: true });
    });
  }

  async readSpec(id: string): Promise<VmSpec | null> {
    return (await readVmRecord(this.pathsFor(id).specFile))?.spec ?? null;
  }

  async status(id: string, opts: { quick?: boolean } = {}): Promise<VmStatus | null> {
    const paths = this.pathsFor(id);
    if (!existsSync(paths.runDir)) return null;
    const record = await readVmRecord(paths.specFile).catch(() => null);
    const accel = record?.accel;
    const pid = await this.findLivePid(paths);
    if (pid === null) return { id, state: "stopped", ...(accel && { accel }) };
    // The process is alive; if QMP is busy (another client) it is still a running VM. Quick checks
    // (heartbeats) do not ask QMP at all: QEMU serves one QMP client at a time, and a busy agent
    // would otherwise queue behind its own heartbeat.
    const state = opts.quick ? "running" : ((await this.queryRunState(paths, 2_000)) ?? "running");
    return { id, state, pid, ...(accel && { accel }) };
  }

  async list(opts: { quick?: boolean } = {}): Promise<VmStatus[]> {
    // VMs adopted after an agent restart were not launched by this process: watch their logs too.
    this.watchSerialLogs();
    const found: VmStatus[] = [];
    for (const id of await this.listVmIds()) {
      const status = await this.status(id, opts);
      if (!status) continue;
      if (status.state === "stopped") {
        // Leftovers of a VM that died (crash, host reboot, kill -9): stale pidfile and sockets.
        await this.withVmLock(id, async () => {
          const paths = this.pathsFor(id);
          if ((await this.findLivePid(paths)) === null) {
            await this.removeRuntimeFiles(paths);
            // A throw-away VM that died (guest poweroff, crash, host reboot) loses its writes now too.
            await this.discardIfThrowaway(paths);
          }
        });
      }
      found.push(status);
    }
    return found;
  }

  /** QEMU serves VNC and the serial line on unix sockets in the VM's run directory. */
  async consoleEndpoint(id: string, kind: ConsoleKind): Promise<ConsoleEndpoint | null> {
    const paths = this.pathsFor(id);
    if (!(await stat(paths.runDir).catch(() => null))?.isDirectory()) return null;
    return { path: kind === "vnc" ? paths.vncSocket : paths.serialSocket };
  }

  /** Each VM's overlay is a qcow2 whose backing file is the base its record names. */
  async baseImagesInUse(): Promise<string[]> {
    const bases: string[] = [];
    for (const id of await this.listVmIds()) {
      const base = await readBaseImagePath(resolveVmPaths(this.opts.stateDir, id).specFile);
      if (base) bases.push(base);
    }
    return bases;
  }

  /**
   * QEMU opens a tap (`-netdev tap,ifname=…`) when it starts: it must exist, on its bridge, before —
   * and, as QEMU has no CAP_NET_ADMIN, belong to QEMU's user (a persistent tap with an owner).
   */
  async prepareNic(nic: NicSpec, network: NicNetworkPort): Promise<void> {
    const user = await this.qemuUser();
    return network.ensureTap(nic, user ? { uid: user.uid, gid: user.gid } : undefined);
  }

  releaseNic(nic: NicSpec, network: NicNetworkPort): Promise<void> {
    return network.removeTap(nic.tap);
  }

  /**
   * Powers the VM off at once (QMP quit, then signals; no guest shutdown: its disk is going anyway),
   * makes the disk fresh over the base — `base` when given, recorded in the spec first — and starts it.
   * Under the VM's lock, so no start, stop or storage operation interleaves.
   */
  async reset(id: string, base?: ResetBase, onProgress?: (p: ProgressReport) => void): Promise<VmStatus> {
    const paths = this.pathsFor(id);
    if (base) assertQemuSafePath(base.baseImagePath, "base image path");
    const report = (percent: number, message: string) => onProgress?.({ percent, message });
    return this.withVmLock(id, async () => {
      let record = await readVmRecord(paths.specFile);
      if (!record) throw new VmNotFoundError(id);
      const pid = await this.findLivePid(paths);
      if (pid !== null) {
        report(10, "powering off");
        this.lastStopMethod.set(
          id,
          await stopVmProcess(paths, pid, { acpiTimeoutMs: null, quitTimeoutMs: 2_000 }),
        );
      }
      await this.removeRuntimeFiles(paths);
      const current = resolveVmPaths(this.opts.stateDir, id);
      if (base) {
        record = { ...record, spec: { ...record.spec, ...base } };
        await writeVmRecord(current.specFile, record);
      }
      report(40, "re-making the disk");
      await this.makeFreshDisk(current, record.spec);
      report(60, "starting QEMU");
      const status = await this.launch(current, record, { diskIsFresh: true });
      report(100, "running");
      return status;
    });
  }

  /** A PNG of the VM's display from QMP screendump; null when the VM is not running. */
  async screenshot(id: string): Promise<Buffer | null> {
    const paths = this.pathsFor(id);
    if (!existsSync(paths.runDir)) return null;
    if ((await this.findLivePid(paths)) === null) return null;
    const user = await this.qemuUser();
    return takeScreendump(paths, user ? user.uid : 0);
  }

  /** Under the VM's lock, so no start can overlap it: the next start reads the new spec. */
  resize(id: string, size: VmSize, onProgress?: (p: ProgressReport) => void): Promise<void> {
    return this.withStorage(id, (a) => resizeStoppedVm(a, size, onProgress));
  }

  // ---- storage (snapshots, capture, volumes): the work is in qemu-snapshots.ts, qemu-capture.ts and qemu-volumes.ts; here
  // each runs under the VM's lock, so it never overlaps a start, stop or delete of the same VM.

  createSnapshot(id: string, tag: string): Promise<{ sizeBytes: number }> {
    return this.withStorage(id, (a) => createDiskSnapshot(a, tag));
  }

  revertSnapshot(id: string, tag: string): Promise<void> {
    return this.withStorage(id, (a) => revertDiskSnapshot(a, tag));
  }

  deleteSnapshot(id: string, tag: string): Promise<void> {
    return this.withStorage(id, (a) => deleteDiskSnapshot(a, tag));
  }

  exportDisk(
    id: string,
    target: string,
    onProgress?: (fraction: number) => void,
  ): Promise<{ sizeBytes: number }> {
    return this.withStorage(id, async (a) => {
      // A running VM's copy is written by QEMU itself (drive-backup), as its user, into the target's folder.
      const user = a.running ? await this.qemuUser() : null;
      if (user) {
        const dir = dirname(target);
        for (let up = dirname(dir); up.startsWith(this.opts.stateDir) && up !== "/"; up = dirname(up))
          await letQemuUserTraverse(up, user);
        await letQemuUserTraverse(dir, user, { write: true });
      }
      return exportVmDisk(a, target, onProgress);
    });
  }

  attachVolume(id: string, volumeId: string): Promise<VolumeAttachment> {
    return this.withStorage(id, async (a) => {
      // Hot-plugged: QEMU opens the file after dropping to its user.
      const user = await this.qemuUser();
      if (user) await this.grantVolume(volumePath(this.opts.stateDir, volumeId), user);
      return attachVolumeToVm(a, this.opts.stateDir, volumeId);
    });
  }

  detachVolume(id: string, volumeId: string): Promise<void> {
    return this.withStorage(id, (a) => detachVolumeFromVm(a, volumeId));
  }

  createVolume(volumeId: string, sizeGiB: number): Promise<void> {
    return this.withVmLock(`volume:${volumeId}`, () =>
      createVolumeFile(this.opts.stateDir, this.qemuImgBinary, volumeId, sizeGiB),
    );
  }

  deleteVolume(volumeId: string): Promise<void> {
    return this.withVmLock(`volume:${volumeId}`, () => deleteVolumeFile(this.opts.stateDir, volumeId));
  }

  private withStorage<T>(id: string, work: (a: VmStorageAccess) => Promise<T>): Promise<T> {
    const paths = this.pathsFor(id);
    return this.withVmLock(id, async () => {
      const record = await readVmRecord(paths.specFile);
      if (!record) throw new VmNotFoundError(id);
      return work({
        paths,
        record,
        running: (await this.findLivePid(paths)) !== null,
        qemuImg: this.qemuImgBinary,
      });
    });
  }

  /** Ids of the run directories under vms/, sorted. */
  private async listVmIds(): Promise<string[]> {
    const entries = await readdir(resolveVmsDir(this.opts.stateDir), { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [];
        throw error;
      },
    );
    return entries
      .filter((e) => e.isDirectory() && isSafeVmId(e.name))
      .map((e) => e.name)
      .sort();
  }

  private pathsFor(id: string): VmPaths {
    assertSafeVmId(id);
    let paths = resolveVmPaths(this.opts.stateDir, id);
    // A QEMU started by an older agent keeps its files in the run directory until it stops.
    const legacy = resolveVmPaths(this.opts.stateDir, id, "legacy");
    if (!existsSync(paths.pidfile) && existsSync(legacy.pidfile)) paths = legacy;
    assertUsableVmPaths(paths);
    return paths;
  }

  /**
   * The disk made anew over the base (milliseconds: a copy-on-write overlay), and for a UEFI guest a
   * fresh copy of OVMF's variable store: what create, reset and every start of a throw-away VM do.
   */
  private async makeFreshDisk(paths: VmPaths, spec: VmSpec): Promise<void> {
    await rm(paths.disk, { force: true });
    await createOverlay({
      basePath: spec.baseImagePath,
      baseFormat: spec.baseImageFormat,
      overlayPath: paths.disk,
      sizeBytes: Math.ceil(spec.diskGiB * GiB),
      qemuImg: this.qemuImgBinary,
    });
    if (isUefi(spec)) await this.copyEfiVars(paths);
  }

  private async copyEfiVars(paths: VmPaths): Promise<void> {
    const template = this.opts.ovmfVars ?? DEFAULT_OVMF_VARS;
    if (!existsSync(template))
      throw new InvalidVmConfigError(
        `UEFI firmware is not installed: ${template} is missing (apt-get install -y ovmf)`,
      );
    await copyFile(template, paths.efiVars);
  }

  /** A throw-away VM's writes end with its run: the overlay goes whenever the VM has stopped. */
  private async discardIfThrowaway(paths: VmPaths): Promise<void> {
    const record = await readVmRecord(paths.specFile).catch(() => null);
    if (record?.spec.throwaway) await rm(paths.disk, { force: true });
  }

  /** Starts QEMU for a VM unless it is already running; resolves once QMP says "running". */
  private async launch(
    found: VmPaths,
    stored: VmRecord,
    opts: { diskIsFresh?: boolean } = {},
  ): Promise<VmStatus> {
    const id = stored.spec.id;
    const livePid = await this.findLivePid(found);
    if (livePid !== null) {
      return {
        id,
        state: (await this.queryRunState(found, 5_000)) ?? "running",
        pid: livePid,
        accel: stored.accel,
      };
    }
    await this.removeRuntimeFiles(found);
    // From here on the current layout, whatever an older agent's QEMU used.
    const paths = resolveVmPaths(this.opts.stateDir, id);
    // The host may have changed since the VM was created (KVM enabled, or lost): decide again.
    const record: VmRecord = {
      ...stored,
      ...(await this.chooseAccel(stored.spec.accel)),
      startedAt: new Date().toISOString(),
    };
    await writeVmRecord(paths.specFile, record);
    // Snapshot mode: whatever a previous run left (a crash, a host reboot) is never booted again.
    if (record.spec.throwaway && !opts.diskIsFresh) await this.makeFreshDisk(paths, record.spec);
    else if (isUefi(record.spec) && !existsSync(paths.efiVars)) await this.copyEfiVars(paths);
    const user = await this.qemuUser();
    await prepareQemuDir(paths.qemuDir, user);
    if (user) await this.grantVmFiles(paths, record, user);
    const args = buildQemuArgs(record.spec, paths, {
      accel: record.accel,
      machine: record.machine,
      sandbox: await this.supportsSandbox(),
      firmwareCode: this.opts.ovmfCode ?? DEFAULT_OVMF_CODE,
    });
    await spawnDetachedQemu(this.qemuBinary, args, {
      user: user ? { uid: user.uid, gid: user.gid } : undefined,
      netns: this.opts.netns,
      logFile: join(paths.runDir, "qemu.log"),
      pidfile: paths.pidfile,
      readySocket: paths.qmpSocket,
      env: record.spec.localDisplay ? localDisplayEnv(record.spec.localDisplay) : undefined,
      cpuGroup: await this.guestCpuGroup(),
    });
    this.watchSerialLogs();
    const pid = await readPidfile(paths.pidfile);
    if (pid === null) throw new Error(`QEMU started but wrote no pidfile at ${paths.pidfile}`);
    let state: VmStatus["state"];
    try {
      state = await withQmp(
        paths.qmpSocket,
        async (qmp) => mapQemuRunState((await qmp.execute<{ status: string }>("query-status")).status),
        { timeoutMs: 10_000 },
      );
      if (state !== "running") throw new Error(`QEMU started but reports "${state}" instead of running`);
    } catch (error) {
      await stopVmProcess(paths, pid, { acpiTimeoutMs: null, quitTimeoutMs: 2_000 }).catch(() => undefined);
      throw error;
    }
    return { id, state, pid, accel: record.accel };
  }

  /** Opened once per driver, at the first start (several agents on one machine share the group). */
  private guestCpuGroup(): Promise<GuestCpuGroup | undefined> {
    if (this.opts.cpuGroup === null) return Promise.resolve(undefined);
    const opts = this.opts.cpuGroup ?? {};
    this.cpuGroup ??= openGuestCpuGroup(opts).catch((err: Error) => {
      opts.onWarning?.(`guests get no shared CPU group: ${err.message}`);
      return undefined;
    });
    return this.cpuGroup;
  }

  private async chooseAccel(requested: Accelerator): Promise<Pick<VmRecord, "accel" | "accelNote">> {
    if (requested !== "kvm")
      return { accel: "tcg", accelNote: requested === "none" ? "no accelerator requested: TCG" : undefined };
    const host = await this.probeAccel();
    const user = host.kvmUsable ? await this.qemuUser() : null;
    if (user && !(await canQemuUserOpenKvm(user)))
      return {
        accel: "tcg",
        accelNote: `kvm requested but the user ${user.name} that QEMU runs as cannot open /dev/kvm (add it to group kvm): using TCG`,
      };
    if (host.kvmUsable) return { accel: "kvm", accelNote: undefined };
    // Never start a KVM guest where KVM does not work: it hangs without output.
    return {
      accel: "tcg",
      accelNote: `kvm requested but not usable here (${host.reason ?? "unknown reason"}): using TCG`,
    };
  }

  /** VNC clients connected now, from QMP `query-vnc` (no software in the guest); null when QMP is busy. */
  async countViewers(id: string): Promise<number | null> {
    const paths = this.pathsFor(id);
    if ((await this.findLivePid(paths)) === null) return 0;
    try {
      return await withQmp(
        paths.qmpSocket,
        async (qmp) => {
          const vnc = await qmp.execute<{ enabled: boolean; clients?: unknown[] }>("query-vnc", undefined, {
            timeoutMs: 1_000,
          });
          return vnc.clients?.length ?? 0;
        },
        { timeoutMs: 1_000 },
      );
    } catch {
      return null;
    }
  }

  private async findLivePid(paths: VmPaths): Promise<number | null> {
    const pid = await readPidfile(paths.pidfile);
    return pid !== null && (await isVmProcessAlive(pid, paths.runDir)) ? pid : null;
  }

  private async queryRunState(paths: VmPaths, timeoutMs: number): Promise<VmStatus["state"] | null> {
    try {
      return await withQmp(
        paths.qmpSocket,
        async (qmp) =>
          mapQemuRunState(
            (await qmp.execute<{ status: string }>("query-status", undefined, { timeoutMs })).status,
          ),
        { timeoutMs },
      );
    } catch {
      return null;
    }
  }

  /** Only for a VM whose QEMU is gone: QEMU leaves its sockets (and, when killed, its pidfile). */
  private async removeRuntimeFiles(paths: VmPaths): Promise<void> {
    await Promise.all(
      [paths.pidfile, paths.qmpSocket, paths.vncSocket, paths.serialSocket].map((file) =>
        rm(file, { force: true }),
      ),
    );
  }

  /** The user QEMU runs as, or null for root (runAs unset); throws when the configured user is missing. */
  private async qemuUser(): Promise<QemuUser | null> {
    if (this.opts.runAs === undefined) return null;
    const user = await lookUpQemuUser(this.opts.runAs);
    if (!user) throw new InvalidVmConfigError(missingQemuUserReason(this.opts.runAs));
    return user;
  }

  /**
   * What QEMU opens as its user: the disk (its own, read-write) and the attached volumes, the base image
   * under the disk (read only) when it lies in the agent's image cache; the folders above them only let
   * the user's group pass. A base image elsewhere (tests, an operator's own path) must already be
   * readable: QEMU's "Permission denied" names it otherwise.
   */
  private async grantVmFiles(paths: VmPaths, record: VmRecord, user: QemuUser): Promise<void> {
    await letQemuUserTraverse(this.opts.stateDir, user);
    await letQemuUserTraverse(resolveVmsDir(this.opts.stateDir), user);
    await letQemuUserTraverse(paths.runDir, user);
    await giveToQemuUser(paths.disk, user);
    if (isUefi(record.spec) && existsSync(paths.efiVars)) await giveToQemuUser(paths.efiVars, user);
    await prepareSerialLog(paths.serialLog, user);
    const base = record.spec.baseImagePath;
    if (base.startsWith(`${this.opts.stateDir}/`) && existsSync(base)) {
      for (let up = dirname(base); up.startsWith(`${this.opts.stateDir}/`); up = dirname(up))
        await letQemuUserTraverse(up, user);
      await letQemuUserRead(base, user);
    }
    for (const v of record.spec.volumes ?? []) await this.grantVolume(v.path, user);
  }

  private async grantVolume(path: string, user: QemuUser): Promise<void> {
    await letQemuUserTraverse(this.opts.stateDir, user);
    await letQemuUserTraverse(dirname(path), user);
    if (existsSync(path)) await giveToQemuUser(path, user);
  }

  /**
   * Every few seconds, each VM's serial log is held under the cap (a guest printing without end must not
   * fill the host). An unref'd timer: it never keeps the agent alive.
   */
  private watchSerialLogs(): void {
    if (this.serialLogTimer) return;
    this.serialLogTimer = setInterval(() => void this.capSerialLogs(), this.opts.serialLogCheckMs ?? 5_000);
    this.serialLogTimer.unref();
  }

  /** Cuts every VM's serial log that is over the cap; returns how many were cut. */
  async capSerialLogs(): Promise<number> {
    let cut = 0;
    for (const id of await this.listVmIds().catch(() => [])) {
      const log = this.pathsFor(id).serialLog;
      if (await capSerialLog(log, this.serialLogMaxBytes).catch(() => false)) cut++;
    }
    return cut;
  }

  private supportsSandbox(): Promise<boolean> {
    // Debian's QEMU has seccomp; a build without it rejects -sandbox, so ask its help text once.
    this.sandboxSupport ??= execFileAsync(this.qemuBinary, ["-help"], {
      timeout: 10_000,
      maxBuffer: 4 * 1024 * 1024,
    })
      .then(({ stdout }) => /^-sandbox\s/m.test(stdout))
      .catch(() => false);
    return this.sandboxSupport;
  }

  private async withVmLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}
