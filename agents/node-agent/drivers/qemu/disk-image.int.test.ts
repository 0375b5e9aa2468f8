import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOverlay, DiskImageError, readImageInfo } from "./disk-image";

const run = promisify(execFile);
const MiB = 1024 * 1024;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "disk-"));
  await run("qemu-img", ["create", "-q", "-f", "qcow2", join(dir, "base.qcow2"), String(64 * MiB)]);
  await run("qemu-img", ["create", "-q", "-f", "raw", join(dir, "base.raw"), String(8 * MiB)]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("createOverlay with real qemu-img", () => {
  it("makes a small qcow2 overlay backed by the base, at the requested size", async () => {
    const overlayPath = join(dir, "a.qcow2");
    const result = await createOverlay({
      basePath: join(dir, "base.qcow2"),
      baseFormat: "qcow2",
      overlayPath,
      sizeBytes: 1024 * MiB,
    });
    expect(result.virtualSizeBytes).toBe(1024 * MiB);
    expect(await readImageInfo(overlayPath)).toEqual({
      format: "qcow2",
      virtualSizeBytes: 1024 * MiB,
      backingFile: join(dir, "base.qcow2"),
    });
    expect((await stat(overlayPath)).size).toBeLessThan(MiB);
  });

  it("never makes the overlay smaller than the base", async () => {
    const overlayPath = join(dir, "b.qcow2");
    const result = await createOverlay({
      basePath: join(dir, "base.qcow2"),
      baseFormat: "qcow2",
      overlayPath,
      sizeBytes: MiB,
    });
    expect(result.virtualSizeBytes).toBe(64 * MiB);
    expect((await readImageInfo(overlayPath)).virtualSizeBytes).toBe(64 * MiB);
  });

  it("works over a raw base", async () => {
    const overlayPath = join(dir, "c.qcow2");
    await createOverlay({
      basePath: join(dir, "base.raw"),
      baseFormat: "raw",
      overlayPath,
      sizeBytes: 16 * MiB,
    });
    expect(await readImageInfo(overlayPath)).toMatchObject({
      format: "qcow2",
      backingFile: join(dir, "base.raw"),
    });
  });

  it("refuses a base that itself has a backing file", async () => {
    await expect(
      createOverlay({
        basePath: join(dir, "a.qcow2"),
        baseFormat: "qcow2",
        overlayPath: join(dir, "d.qcow2"),
        sizeBytes: MiB,
      }),
    ).rejects.toThrow(/has a backing file/);
  });

  it("explains a missing base with qemu-img's message", async () => {
    const error = await createOverlay({
      basePath: join(dir, "none.qcow2"),
      baseFormat: "qcow2",
      overlayPath: join(dir, "e.qcow2"),
      sizeBytes: MiB,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskImageError);
    expect((error as Error).message).toMatch(/qemu-img info failed: .*none\.qcow2.*No such file/);
  });

  it("refuses paths QEMU would misparse", async () => {
    await expect(
      createOverlay({
        basePath: join(dir, "base.qcow2"),
        baseFormat: "qcow2",
        overlayPath: join(dir, "x,y.qcow2"),
        sizeBytes: MiB,
      }),
    ).rejects.toThrow(/must not contain ','/);
  });
});
