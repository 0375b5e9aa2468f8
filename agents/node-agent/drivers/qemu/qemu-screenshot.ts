// Thumbnails without software in the guest: QEMU draws its display into a PNG (QMP screendump) in the
// one folder its user may write, and the agent reads it back. QEMU is not trusted: the file is opened
// without following links and only a regular, singly-linked file of QEMU's own user, of bounded size,
// is read — so a compromised QEMU cannot make the agent (root) hand out another file of the host.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { withQmp } from "./qmp-client";
import type { VmPaths } from "./vm-paths";

/** A 4K screen as PNG stays far below this; anything larger is not a screendump of ours. */
const MAX_PNG_BYTES = 32 * 1024 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class ScreenshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScreenshotError";
  }
}

/** Asks the running QEMU for a PNG of its display; `qemuUid` is the user QEMU runs as (0 for root). */
export async function takeScreendump(
  paths: Pick<VmPaths, "qemuDir" | "qmpSocket">,
  qemuUid: number,
  timeoutMs = 5_000,
): Promise<Buffer> {
  const file = join(paths.qemuDir, `screendump-${randomBytes(6).toString("hex")}.png`);
  try {
    await withQmp(
      paths.qmpSocket,
      (qmp) => qmp.execute("screendump", { filename: file, format: "png" }, { timeoutMs }),
      { timeoutMs },
    );
    return await readOwnPng(file, qemuUid);
  } finally {
    await rm(file, { force: true });
  }
}

async function readOwnPng(file: string, qemuUid: number): Promise<Buffer> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.nlink !== 1 || st.uid !== qemuUid)
      throw new ScreenshotError(`${file} is not a screendump written by QEMU`);
    if (st.size > MAX_PNG_BYTES) throw new ScreenshotError(`${file} is ${st.size} bytes, too large`);
    const png = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(png, 0, st.size, 0);
    if (bytesRead !== st.size || !png.subarray(0, 8).equals(PNG_SIGNATURE))
      throw new ScreenshotError(`${file} is not a PNG`);
    return png;
  } finally {
    await fh.close();
  }
}
