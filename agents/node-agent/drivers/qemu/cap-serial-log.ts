// The serial log is written by QEMU (chardev logfile, opened with O_APPEND) for as long as the VM runs,
// whatever the guest prints: a guest looping on its console would fill the host's disk. The agent keeps
// it under a cap by "copy and truncate": when the log is over the cap, its bytes are copied to
// `<log>.1` (replacing the older copy) and the log is cut to zero. QEMU keeps its descriptor and, being
// in append mode, goes on writing at the new end — no restart, no signal, no pipe the agent must drain
// (a pipe would stall the guest's console whenever the agent is down). At most about twice the cap stays
// on disk per VM; what the guest writes between the copy and the cut (microseconds) is lost.
//
// The log belongs to QEMU's unprivileged user (it writes it), in the root-owned run directory. Should it
// ever be something else than a plain file of its own (a symlink, a hard link, a FIFO), the agent (root)
// leaves it alone: it is opened without following symlinks, must be a plain file with one link, and the
// copy is a fresh file the agent creates itself.
import { constants } from "node:fs";
import { open, rename, rm } from "node:fs/promises";

/** Default cap per VM's serial log (plus one rotated copy): EDUCLOUD_AGENT_SERIAL_LOG_MAX_MIB. */
export const DEFAULT_SERIAL_LOG_MAX_BYTES = 8 * 1024 * 1024;

const { O_RDWR, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Rotates `log` to `log.1` if it is larger than `maxBytes`; true when it did. A missing log is fine. */
export async function capSerialLog(log: string, maxBytes: number): Promise<boolean> {
  // O_NONBLOCK: a FIFO planted in place of the log must not hang the agent.
  const source = await open(log, O_RDWR | O_NOFOLLOW | O_NONBLOCK).catch(() => null);
  if (!source) return false;
  try {
    const st = await source.stat();
    if (!st.isFile() || st.nlink !== 1 || st.size <= maxBytes) return false;
    // Copy to a temporary name and rename over the old copy, so `.1` is always one whole earlier stretch.
    const tmp = `${log}.1.tmp`;
    await rm(tmp, { force: true });
    const copy = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      for (let position = 0; ;) {
        const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        await copy.write(buffer, 0, bytesRead);
        position += bytesRead;
      }
    } finally {
      await copy.close();
    }
    await source.truncate(0);
    await rename(tmp, `${log}.1`);
    return true;
  } finally {
    await source.close();
  }
}
