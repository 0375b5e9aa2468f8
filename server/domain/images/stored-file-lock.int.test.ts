// Images with the same bytes share one stored file. An import that has moved its file into place but not
// yet inserted its row, and a delete of an older image with those bytes that checks "no live row names
// this file" in between, must not lose the new image's file. The import is held right after its rename
// (node:fs/promises is wrapped) until the delete has finished or 2 s have passed — without the file lock
// the delete finishes inside that window every time. New versions stored at once still get numbers.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { images } from "@/db/schema";
import {
  contextFor,
  makeUser,
  openTestServices,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { importImage, incomingDir, storedImagePath } from "./import-image";
import { deleteImage } from "./manage-images";

const hook = vi.hoisted(() => ({ afterRename: async (_to: string): Promise<void> => undefined }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    rename: async (from: Parameters<typeof real.rename>[0], to: Parameters<typeof real.rename>[1]) => {
      await real.rename(from, to);
      await hook.afterRename(String(to));
    },
  };
});

const work = await mkdtemp(join(tmpdir(), "img-race-"));
const store = join(work, "store");
let s: TestServices;
let ctx: ReturnType<typeof contextFor>;

const deps = () => ({ db: s.db, storeDir: store });
async function importCopy(source: string, name: string) {
  await mkdir(incomingDir(store), { recursive: true });
  const incomingPath = join(incomingDir(store), randomBytes(4).toString("hex"));
  await copyFile(source, incomingPath);
  return importImage(deps(), { incomingPath, name, format: "qcow2", visibility: "public", ownerId: null });
}

beforeAll(async () => {
  s = openTestServices();
  ctx = contextFor(s, await makeUser(s, "superAdm"), undefined, {
    settings: testSettings({ imageStoreDir: store }),
  });
});
afterAll(async () => {
  await s?.close();
  await rm(work, { recursive: true, force: true });
});

describe("a stored file shared by an import and a delete", () => {
  it("stays on disk for the image imported while an older image with the same bytes was deleted", async () => {
    // Random contents: no image row of another test file in this run's database names the same bytes.
    writeFileSync(join(work, "src.raw"), randomBytes(1024 * 1024));
    execFileSync(
      "qemu-img",
      ["convert", "-f", "raw", "-O", "qcow2", join(work, "src.raw"), join(work, "src.qcow2")],
      { stdio: "pipe" },
    );
    const older = await importCopy(join(work, "src.qcow2"), "older");
    const path = storedImagePath(store, older.sha256);
    expect(existsSync(path)).toBe(true);

    let renamed!: () => void;
    const reachedRename = new Promise<void>((r) => {
      renamed = r;
    });
    let deleteSettled!: () => void;
    const deleteDone = new Promise<void>((r) => {
      deleteSettled = r;
    });
    hook.afterRename = async (to) => {
      if (to !== path) return;
      renamed();
      await Promise.race([deleteDone, new Promise((r) => setTimeout(r, 2000))]);
    };
    try {
      const importing = importCopy(join(work, "src.qcow2"), "newer");
      await reachedRename;
      const deleted = deleteImage(ctx, { id: older.id })
        .catch((e: unknown) => e)
        .finally(deleteSettled);
      const [newer, outcome] = await Promise.all([importing, deleted]);
      expect(outcome).toEqual({ id: older.id });
      expect(newer.sha256).toBe(older.sha256); // the same stored file, or this tests nothing
      const rows = await s.db.select().from(images).where(eq(images.sha256, older.sha256));
      expect(rows.find((r) => r.id === older.id)?.deletedAt).not.toBeNull();
      expect(rows.find((r) => r.id === newer.id)?.deletedAt).toBeNull();
      expect(existsSync(path), "the live image's file was removed").toBe(true);

      // And the lock does not keep the file once its last image goes.
      await deleteImage(ctx, { id: newer.id });
      expect(existsSync(path)).toBe(false);
    } finally {
      hook.afterRename = async () => undefined;
    }
  });

  it("still lets new versions of one image stored at once each take the next number", async () => {
    // Different files, so different locks: the unique index orders them, and a retry inside the lock's
    // transaction must see the version another import has just committed.
    const qcow2 = (name: string) => {
      writeFileSync(join(work, `${name}.raw`), randomBytes(256 * 1024));
      execFileSync(
        "qemu-img",
        ["convert", "-f", "raw", "-O", "qcow2", join(work, `${name}.raw`), join(work, name)],
        { stdio: "pipe" },
      );
      return join(work, name);
    };
    const base = await importCopy(qcow2("base.qcow2"), "family");
    const sources = ["a", "b", "c"].map((v) => qcow2(`${v}.qcow2`));
    // All three wait after their renames until all three are there: then they all pick version 2 at once.
    let arrived = 0;
    let allThere!: () => void;
    const barrier = new Promise<void>((r) => {
      allThere = r;
    });
    hook.afterRename = async (to) => {
      if (to.startsWith(incomingDir(store)) || !to.startsWith(store)) return;
      if (++arrived === sources.length) allThere();
      await Promise.race([barrier, new Promise((r) => setTimeout(r, 5000))]);
    };
    try {
      const versions = await Promise.all(
        sources.map(async (source) => {
          await mkdir(incomingDir(store), { recursive: true });
          const incomingPath = join(incomingDir(store), randomBytes(4).toString("hex"));
          await copyFile(source, incomingPath);
          return importImage(deps(), {
            incomingPath,
            name: "ignored",
            format: "qcow2",
            visibility: "public",
            ownerId: null,
            newVersionOf: base.id,
          });
        }),
      );
      expect(arrived).toBe(sources.length);
      expect(versions.map((v) => v.version).sort()).toEqual([2, 3, 4]);
      for (const v of versions) expect(existsSync(storedImagePath(store, v.sha256))).toBe(true);
    } finally {
      hook.afterRename = async () => undefined;
    }
  });
});
