import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readVmRecord, VmRecordError, writeVmRecord, type VmRecord } from "./vm-record";

const record: VmRecord = {
  spec: {
    id: "vm-1",
    name: "a",
    vcpus: 1,
    memoryMiB: 128,
    diskGiB: 1,
    baseImagePath: "/i/b.qcow2",
    baseImageFormat: "qcow2",
    accel: "kvm",
  },
  accel: "tcg",
  accelNote: "kvm requested but not usable here (the CPU exposes no vmx/svm flag): using TCG",
  machine: "q35",
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("VM record (spec.json)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vmrec-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("round-trips, leaving no temp file", async () => {
    await writeVmRecord(join(dir, "spec.json"), record);
    expect(await readVmRecord(join(dir, "spec.json"))).toEqual(record);
    expect(await readdir(dir)).toEqual(["spec.json"]);
  });

  it("is null when missing", async () => {
    expect(await readVmRecord(join(dir, "none.json"))).toBeNull();
  });

  it("rejects malformed files with the file named", async () => {
    await writeFile(join(dir, "bad.json"), "{");
    await expect(readVmRecord(join(dir, "bad.json"))).rejects.toThrow(/bad\.json is not valid JSON/);
    await writeFile(join(dir, "wrong.json"), JSON.stringify({ ...record, accel: "hvf" }));
    await expect(readVmRecord(join(dir, "wrong.json"))).rejects.toThrow(VmRecordError);
  });
});
