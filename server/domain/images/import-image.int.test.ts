// What the minimal image store refuses, with nothing left behind; what it keeps, by content.
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/server/domain/errors";
import { openTestServices, type TestServices } from "@/server/testing/fixtures";
import { importImage, incomingDir } from "./import-image";

let s: TestServices;
let work: string;
let store: string;

beforeAll(async () => {
  s = openTestServices();
  work = await mkdtemp(join(tmpdir(), "img-test-"));
  store = join(work, "store");
  await mkdir(incomingDir(store), { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await s.close();
});

const qemuImg = (...args: string[]) => execFileSync("qemu-img", args, { stdio: "pipe" });

/** Puts a file where an upload would land and returns its path. */
function incoming(from: string): string {
  const p = join(incomingDir(store), randomUUID());
  writeFileSync(p, readFileSync(from));
  return p;
}

async function refusal(path: string, format: "qcow2" | "raw"): Promise<string> {
  const err = await importImage({ db: s.db, storeDir: store }, { incomingPath: path, name: "x", format, visibility: "public", ownerId: null }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DomainError);
  expect(existsSync(path)).toBe(false); // the upload is gone
  return (err as Error).message;
}

describe("importImage", () => {
  it("refuses a qcow2 with a backing file, one with an external data file, and a format that differs from the declared one", async () => {
    const base = join(work, "base.qcow2");
    qemuImg("create", "-f", "qcow2", base, "16M");
    const withBacking = join(work, "backing.qcow2");
    qemuImg("create", "-f", "qcow2", "-b", base, "-F", "qcow2", withBacking);
    const withData = join(work, "data.qcow2");
    qemuImg("create", "-f", "qcow2", "-o", `data_file=${join(work, "data.raw")}`, withData, "16M");

    expect(await refusal(incoming(withBacking), "qcow2")).toMatch(/backing file is refused/);
    expect(await refusal(incoming(withData), "qcow2")).toMatch(/data file is refused/);
    expect(await refusal(incoming(base), "raw")).toMatch(/The file is qcow2, not raw/);
    expect((await readdir(store)).filter((f) => f !== ".incoming")).toEqual([]);
  });

  it("keeps a good image under its sha256 and records its sizes", async () => {
    const good = join(work, "good.qcow2");
    qemuImg("create", "-f", "qcow2", good, "32M");
    const sha = createHash("sha256").update(readFileSync(good)).digest("hex");
    const row = await importImage({ db: s.db, storeDir: store }, { incomingPath: incoming(good), name: "good", format: "qcow2", visibility: "public", ownerId: null });
    expect(row.sha256).toBe(sha);
    expect(row.virtualSizeBytes).toBe(32 * 1024 * 1024);
    expect(existsSync(join(store, sha))).toBe(true);
  });
});
