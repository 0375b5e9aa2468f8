import type { VmPowerState } from "../hypervisor-driver";

/**
 * QEMU's RunState (query-status "status") as the portal's power state. Everything that is neither
 * running nor shutting down has the vCPUs halted with the process alive: "paused" to the portal.
 */
export function mapQemuRunState(status: string): VmPowerState {
  if (status === "running") return "running";
  // Only seen for an instant: without -no-shutdown QEMU exits right after a guest poweroff.
  if (status === "shutdown") return "stopped";
  return "paused";
}
