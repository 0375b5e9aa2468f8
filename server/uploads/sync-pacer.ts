// Flushes a file that is being received to disk while it arrives, not only at the end. The kernel
// keeps written data in the page cache for up to 30 s before writing it back, so an upload that only
// fsyncs when its last byte arrived first receives everything, then waits for the whole file to reach
// the disk: the two run one after the other. Starting a flush every few dozen MiB lets the disk write
// while the network delivers, and the final flush finds little left. (sync_file_range would start
// writeback without waiting; Node offers only fdatasync, which is why a flush runs off the event loop,
// one at a time.) The writer is held back when it runs more than two stretches ahead of the running
// flush, so a disk slower than the network slows the upload instead of filling memory with its dirty
// pages. It also bounds what a crash can lose of an upload to the last stretch. A checkpoint that fails
// is remembered and fails finish(): Linux reports a write-back error to each descriptor once, so a later
// fdatasync may succeed although bytes were lost.
import type { FileHandle } from "node:fs/promises";

export const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

export interface SyncPacer {
  /**
   * Told the bytes written so far; starts a flush when the next checkpoint is passed and none runs.
   * Returns the running flush when the writer is two stretches ahead of it: wait for it before writing on.
   */
  wrote(total: number): Promise<void> | null;
  /** The last flush: everything written before this call is on disk when it resolves; rejects if any flush failed. */
  finish(): Promise<void>;
}

export function createSyncPacer(fh: FileHandle, everyBytes = SYNC_EVERY_BYTES): SyncPacer {
  let flushing: Promise<void> | null = null;
  let failed: unknown = null;
  let flushStartedAt = 0;
  let nextAt = everyBytes;
  return {
    wrote(total) {
      if (flushing) return total - flushStartedAt >= 2 * everyBytes ? flushing : null;
      if (total < nextAt) return null;
      nextAt = total + everyBytes;
      flushStartedAt = total;
      flushing = fh
        .datasync()
        .catch((err: unknown) => {
          failed ??= err;
        })
        .finally(() => {
          flushing = null;
        });
      return null;
    },
    async finish() {
      await flushing;
      await fh.datasync();
      if (failed) throw failed;
    },
  };
}
