import { VmStopError } from "./qemu-errors";
import { QmpClient } from "./qmp-client";
import type { VmPaths } from "./vm-paths";
import { signalProcess } from "../../host-processes";
import { isVmProcessAlive, waitForVmProcessExit } from "./vm-process";

/** How the QEMU process ended: "acpi" and "exited" (gone before we had to force it) are clean. */
export type StopMethod = "acpi" | "exited" | "quit" | "sigterm" | "sigkill";

export function isForcedStop(method: StopMethod): boolean {
  return method !== "acpi" && method !== "exited";
}

export interface StopVmProcessOptions {
  /** How long the guest gets to power off after the ACPI button; null skips ACPI (delete). */
  acpiTimeoutMs: number | null;
  /** How long QEMU gets after `quit` / SIGTERM before SIGKILL. */
  quitTimeoutMs?: number;
}

/**
 * Stops one QEMU process, politest first: ACPI power button (the guest shuts down cleanly), then
 * QMP `quit` (QEMU exits, the guest is cut off), SIGTERM if QMP does not answer, SIGKILL last.
 * Every signal is sent only after checking the pid is still this VM's QEMU.
 */
export async function stopVmProcess(
  paths: VmPaths,
  pid: number,
  opts: StopVmProcessOptions,
): Promise<StopMethod> {
  const quitTimeoutMs = opts.quitTimeoutMs ?? 5_000;
  // QEMU serves one QMP client at a time; a status() in flight holds it at most a few seconds.
  const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 5_000 }).catch(() => null);
  try {
    if (qmp && opts.acpiTimeoutMs !== null) {
      const pressed = await qmp.execute("system_powerdown").then(
        () => true,
        () => false,
      );
      if (pressed && (await waitForVmProcessExit(pid, paths.runDir, opts.acpiTimeoutMs))) return "acpi";
    }
    if (!(await isVmProcessAlive(pid, paths.runDir))) return "exited";
    if (qmp && !qmp.isClosed) {
      // QEMU may exit before it answers `quit`; the process check below is what counts.
      await qmp.execute("quit", undefined, { timeoutMs: quitTimeoutMs }).catch(() => undefined);
      if (await waitForVmProcessExit(pid, paths.runDir, quitTimeoutMs)) return "quit";
    } else {
      // QEMU treats SIGTERM like `quit`.
      signalProcess(pid, "SIGTERM");
      if (await waitForVmProcessExit(pid, paths.runDir, quitTimeoutMs)) return "sigterm";
    }
  } finally {
    qmp?.close();
  }
  if (await isVmProcessAlive(pid, paths.runDir)) signalProcess(pid, "SIGKILL");
  if (await waitForVmProcessExit(pid, paths.runDir, 5_000)) return "sigkill";
  throw new VmStopError(`QEMU process ${pid} of ${paths.runDir} is still running after SIGKILL`);
}
