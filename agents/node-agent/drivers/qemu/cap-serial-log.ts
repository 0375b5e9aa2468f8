// The serial log is written by QEMU (chardev logfile, opened with O_APPEND) for as long as the VM runs,
// whatever the guest prints: a guest looping on its console would fill the host's disk. The agent keeps
// it under a cap by "copy and truncate": when the log is over the cap, its bytes are copied to
// `<log>.1` (replacing the older copy) and the log is cut to zero. QEMU keeps its descriptor and, being
// in append mode, goes on writing at the new end — no restart, no signal, no pipe the agent must drain
// (a pipe would stall the guest's console whenever the agent is down). At most about twice the cap stays
// on disk per VM; what the guest writes between the copy and the cut (microseconds) is lost.
import { copyFile, rename, stat, truncate } from "node:fs/promises";

/** Default cap per VM's serial log (plus one rotated copy): EDUCLOUD_AGENT_SERIAL_LOG_MAX_MIB. */
export const DEFAULT_SERIAL_LOG_MAX_BYTES = 8 * 1024 * 1024;

/** Rotates `log` to `log.1` if it is larger than `maxBytes`; true when it did. A missing log is fine. */
export async function capSerialLog(log: string, maxBytes: number): Promise<boolean> {
  const st = await stat(log).catch(() => null);
  if (!st || st.size <= maxBytes) return false;
  // Copy to a temporary name and rename over the old copy, so `.1` is always one whole earlier stretch.
  const tmp = `${log}.1.tmp`;
  await copyFile(log, tmp);
  await truncate(log, 0);
  await rename(tmp, `${log}.1`);
  return true;
}
