import { isAbsolute, join } from "node:path";
import type { QemuArgPaths } from "./build-qemu-args";
import { InvalidVmConfigError } from "./qemu-errors";

/**
 * Every file of one VM lives in its run directory `${stateDir}/vms/<id>/`, owned by root: the record,
 * the disk, the serial log, QEMU's stdout log. What QEMU creates itself (its sockets and pidfile) goes
 * into `qemuDir`, `<run dir>/run/`, the one folder QEMU's unprivileged user may write to — so QEMU can
 * never swap the record, the disk or the serial log for a symlink that the agent, as root, would follow.
 */
export interface VmPaths extends QemuArgPaths {
  runDir: string;
  qemuDir: string;
  /** The persisted VM record (spec + what the driver decided, e.g. the accelerator). */
  specFile: string;
  /** The VM's own UEFI variable store (a copy of OVMF's template), used by UEFI guests only. */
  efiVars: string;
}

/** Linux `sun_path` holds 108 bytes including the terminating NUL. */
const MAX_UNIX_SOCKET_PATH = 107;

// Portal instance ids are UUIDs; anything that could escape the vms/ directory or break QEMU's
// option syntax is refused up front.
const SAFE_VM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isSafeVmId(id: string): boolean {
  return SAFE_VM_ID.test(id);
}

export function assertSafeVmId(id: string): void {
  if (!isSafeVmId(id)) {
    throw new InvalidVmConfigError(
      `invalid VM id ${JSON.stringify(id)}: use 1–64 letters, digits, '-' or '_' (a UUID), starting with a letter or digit`,
    );
  }
}

/**
 * QEMU splits option values at ',' (a literal comma must be doubled) and a path with a comma in it
 * would silently become a different option, so such paths are refused rather than escaped.
 */
export function assertQemuSafePath(path: string, what: string): void {
  if (!isAbsolute(path)) throw new InvalidVmConfigError(`${what} must be an absolute path: ${path}`);
  if (path.includes(","))
    throw new InvalidVmConfigError(`${what} must not contain ',' (QEMU option syntax): ${path}`);
  if (/[\u0000-\u001f\u007f]/.test(path))
    throw new InvalidVmConfigError(`${what} must not contain control characters: ${JSON.stringify(path)}`);
}

export function assertUnixSocketPath(path: string, what: string): void {
  assertQemuSafePath(path, what);
  if (Buffer.byteLength(path) > MAX_UNIX_SOCKET_PATH) {
    throw new InvalidVmConfigError(
      `${what} is ${Buffer.byteLength(path)} bytes, longer than a unix socket path may be (${MAX_UNIX_SOCKET_PATH}): use a shorter state directory (${path})`,
    );
  }
}

export function resolveVmsDir(stateDir: string): string {
  return join(stateDir, "vms");
}

/**
 * `layout: "legacy"`: a VM still running from an agent that kept QEMU's files in the run directory
 * itself (QEMU was root until -runas); used only while that QEMU runs, its next start uses `run/`.
 */
export function resolveVmPaths(
  stateDir: string,
  id: string,
  layout: "current" | "legacy" = "current",
): VmPaths {
  assertSafeVmId(id);
  const runDir = join(resolveVmsDir(stateDir), id);
  const qemuDir = layout === "legacy" ? runDir : join(runDir, "run");
  return {
    runDir,
    qemuDir,
    specFile: join(runDir, "spec.json"),
    disk: join(runDir, "disk.qcow2"),
    efiVars: join(runDir, "efivars.fd"),
    pidfile: join(qemuDir, "qemu.pid"),
    qmpSocket: join(qemuDir, "qmp.sock"),
    vncSocket: join(qemuDir, "vnc.sock"),
    serialSocket: join(qemuDir, "serial.sock"),
    serialLog: join(runDir, "serial.log"),
  };
}

/** Checks every path QEMU will see; throws a message that names the offending path. */
export function assertUsableVmPaths(paths: VmPaths): void {
  assertQemuSafePath(paths.runDir, "VM run directory");
  assertUsableQemuArgPaths(paths);
}

/** The paths on QEMU's command line: no ',' (option syntax), sockets short enough for sun_path. */
export function assertUsableQemuArgPaths(paths: QemuArgPaths): void {
  assertQemuSafePath(paths.disk, "disk path");
  assertQemuSafePath(paths.pidfile, "pidfile path");
  assertQemuSafePath(paths.serialLog, "serial log path");
  assertUnixSocketPath(paths.qmpSocket, "QMP socket path");
  assertUnixSocketPath(paths.vncSocket, "VNC socket path");
  assertUnixSocketPath(paths.serialSocket, "serial socket path");
}
