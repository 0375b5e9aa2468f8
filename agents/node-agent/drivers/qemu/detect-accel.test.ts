import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideAccel, detectAccel, findVirtualisationFlag, probeKvmDevice } from "./detect-accel";

const intel = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr vmx ept\n\n";
const amd = "processor\t: 0\nflags\t\t: fpu svm npt\n";
const none = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr hypervisor\nbugs\t\t: vmx_like_name\n";

describe("findVirtualisationFlag", () => {
  it("finds vmx and svm in the flags line only", () => {
    expect(findVirtualisationFlag(intel)).toBe("vmx");
    expect(findVirtualisationFlag(amd)).toBe("svm");
    expect(findVirtualisationFlag(none)).toBeNull();
    expect(findVirtualisationFlag("")).toBeNull();
  });

  it("does not match a flag that merely contains the letters", () => {
    expect(findVirtualisationFlag("flags\t: fpu vmxx svm_lock\n")).toBeNull();
  });
});

describe("decideAccel", () => {
  it("uses KVM when the CPU has the flag and /dev/kvm opens", () => {
    expect(decideAccel(intel, "ok")).toEqual({ accel: "kvm", kvmUsable: true });
  });

  it("uses TCG when the CPU exposes no flag, even if /dev/kvm opens", () => {
    expect(decideAccel(none, "ok")).toEqual({
      accel: "tcg",
      kvmUsable: false,
      reason: "the CPU exposes no vmx/svm flag",
      reasonMessage: { code: "agent.kvmNoCpuFlag", params: {} },
    });
  });

  it("says /dev/kvm is missing", () => {
    expect(decideAccel(amd, "ENOENT")).toEqual({
      accel: "tcg",
      kvmUsable: false,
      reason: "/dev/kvm is missing",
      reasonMessage: { code: "agent.kvmDeviceMissing", params: {} },
    });
  });

  it("says why /dev/kvm cannot be opened", () => {
    expect(decideAccel(intel, "EACCES")).toEqual({
      accel: "tcg",
      kvmUsable: false,
      reason: "/dev/kvm cannot be opened: EACCES",
      reasonMessage: { code: "agent.kvmDeviceUnusable", params: { error: "EACCES" } },
    });
  });
});

describe("detectAccel on files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "accel-"));
    await writeFile(join(dir, "cpuinfo-vmx"), intel);
    await writeFile(join(dir, "cpuinfo-none"), none);
    await writeFile(join(dir, "kvm"), "");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads cpuinfo and probes the device", async () => {
    expect(
      await detectAccel({ cpuinfoPath: join(dir, "cpuinfo-vmx"), kvmPath: join(dir, "kvm") }),
    ).toMatchObject({ accel: "kvm" });
    expect(
      await detectAccel({ cpuinfoPath: join(dir, "cpuinfo-vmx"), kvmPath: join(dir, "missing") }),
    ).toMatchObject({
      accel: "tcg",
      reason: "/dev/kvm is missing",
      reasonMessage: { code: "agent.kvmDeviceMissing", params: {} },
    });
    expect(
      await detectAccel({ cpuinfoPath: join(dir, "cpuinfo-none"), kvmPath: join(dir, "kvm") }),
    ).toMatchObject({
      accel: "tcg",
      reason: "the CPU exposes no vmx/svm flag",
      reasonMessage: { code: "agent.kvmNoCpuFlag", params: {} },
    });
  });

  it("treats an unreadable cpuinfo as no flag", async () => {
    expect(await detectAccel({ cpuinfoPath: join(dir, "nope") })).toMatchObject({
      accel: "tcg",
      kvmUsable: false,
    });
  });

  it("reports the errno of a failed open", async () => {
    expect(await probeKvmDevice(join(dir, "missing"))).toBe("ENOENT");
    expect(await probeKvmDevice(dir)).toBe("EISDIR");
  });
});
