// The guests' CPU group against a made-up cgroup tree: which hierarchy is used, what is written where,
// and the fallbacks when a hierarchy is missing or not writable.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openGuestCpuGroup } from "./guest-cpu-group";

let root: string;
let proc: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cg-"));
  proc = await mkdtemp(join(tmpdir(), "proc-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(proc, { recursive: true, force: true });
});

const read = (p: string) => readFile(p, "utf8");

describe("openGuestCpuGroup", () => {
  it("cgroup v2: hands the cpu controller down, makes the group with its weight, moves a guest's process", async () => {
    await writeFile(join(root, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    await writeFile(join(root, "cgroup.subtree_control"), "memory\n");
    const group = await openGuestCpuGroup({ cgroupRoot: root, procRoot: proc, weight: 250 });
    expect(group.kind).toBe("cgroup2");
    expect(group.where).toBe(join(root, "educloud-guests"));
    expect(await read(join(root, "cgroup.subtree_control"))).toBe("+cpu");
    expect(await read(join(root, "educloud-guests", "cpu.weight"))).toBe("250");
    await group.place(4242);
    expect(await read(join(root, "educloud-guests", "cgroup.procs"))).toBe("4242");
  });

  it("cgroup v1: uses the cpu hierarchy with shares scaled from the weight", async () => {
    await mkdir(join(root, "cpu"));
    await writeFile(join(root, "cpu", "cpu.shares"), "1024\n");
    const group = await openGuestCpuGroup({ cgroupRoot: root, procRoot: proc, name: "guests-x" });
    expect(group.kind).toBe("cgroup1");
    expect(await read(join(root, "cpu", "guests-x", "cpu.shares"))).toBe("1024");
    await group.place(77);
    expect(await read(join(root, "cpu", "guests-x", "cgroup.procs"))).toBe("77");
  });

  it("v2 without the cpu controller falls to v1; with neither writable, each guest's session is niced", async () => {
    await writeFile(join(root, "cgroup.controllers"), "memory pids\n");
    await mkdir(join(root, "cpu"));
    await writeFile(join(root, "cpu", "cpu.shares"), "1024\n");
    // Something in the way of the group (as a read-only hierarchy would be, also for root).
    await writeFile(join(root, "cpu", "educloud-guests"), "not a directory");
    await mkdir(join(proc, "self"), { recursive: true });
    await writeFile(join(proc, "self", "autogroup"), "/autogroup-1 nice 0\n");
    await mkdir(join(proc, "99"));
    const warnings: string[] = [];
    const group = await openGuestCpuGroup({
      cgroupRoot: root,
      procRoot: proc,
      onWarning: (w) => warnings.push(w),
    });
    expect(group.kind).toBe("autogroup");
    expect(warnings.join()).toMatch(/no shared CPU group/);
    await group.place(99);
    expect(await read(join(proc, "99", "autogroup"))).toBe("19");
  });

  it("with no cgroup and no autogroup it does nothing, and placing never throws", async () => {
    const group = await openGuestCpuGroup({ cgroupRoot: root, procRoot: proc });
    expect(group.kind).toBe("none");
    await expect(group.place(1)).resolves.toBeUndefined();
  });

  it("a failed move is a warning, not an error (the guest runs anyway)", async () => {
    await mkdir(join(root, "cpu"));
    await writeFile(join(root, "cpu", "cpu.shares"), "1024\n");
    const warnings: string[] = [];
    const group = await openGuestCpuGroup({
      cgroupRoot: root,
      procRoot: proc,
      onWarning: (w) => warnings.push(w),
    });
    await rm(join(root, "cpu", "educloud-guests"), { recursive: true });
    await expect(group.place(5)).resolves.toBeUndefined();
    expect(warnings.join()).toMatch(/could not move guest 5/);
  });

  it("refuses a name that is not a plain directory name, and a weight out of range", async () => {
    await expect(openGuestCpuGroup({ cgroupRoot: root, name: "../escape" })).rejects.toThrow(
      /plain directory name/,
    );
    await expect(openGuestCpuGroup({ cgroupRoot: root, weight: 0 })).rejects.toThrow(/1 to 10000/);
  });
});
