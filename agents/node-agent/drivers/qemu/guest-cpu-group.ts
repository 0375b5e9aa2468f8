// All guests of a host share one CPU group, below the management plane, as libvirt's machine.slice
// does. Why it matters: each VM is started in a session of its own (so it outlives the agent), and
// with the kernel's autogroup scheduling (on by default) every session is an equal competitor — 30
// booting guests then leave the agent, the portal and MariaDB one 31st of the CPUs each, and a per-
// process nice cannot help across sessions (measured: 50 ms of the portal's work took 630 ms with 20
// TCG guests in their own sessions, 115 ms with the same guests in one group). In one group, the
// guests together weigh as much as one busy management process and still take every idle cycle.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const DEFAULT_GUEST_CPU_GROUP = "educloud-guests";
/** cgroup v2's default weight (v1: 1024 shares): the guests together count as one management process. */
export const DEFAULT_GUEST_CPU_WEIGHT = 100;
/** Where no group can be made: each guest's own session is niced this far down instead. */
const AUTOGROUP_NICE = 19;

export type GuestCpuGroupKind = "cgroup2" | "cgroup1" | "autogroup" | "none";

export interface GuestCpuGroup {
  readonly kind: GuestCpuGroupKind;
  /** Where the guests go (the cgroup directory), or what is done instead. */
  readonly where: string;
  /** Moves a just-started guest (all its threads) into the group. Never throws: a guest runs anyway. */
  place(pid: number): Promise<void>;
}

export interface GuestCpuGroupOptions {
  /** The group's directory name below the cpu hierarchy's root; default educloud-guests. */
  name?: string;
  /** cgroup v2 weight, 1–10000 (v1 shares are weight × 10.24); default 100. */
  weight?: number;
  /** The cgroup mount; default /sys/fs/cgroup (tests point it elsewhere). */
  cgroupRoot?: string;
  /** /proc, for the autogroup fallback. */
  procRoot?: string;
  onWarning?: (message: string) => void;
}

const exists = (p: string) =>
  readFile(p, "utf8").then(
    (s) => s,
    () => null,
  );

/**
 * Makes (or reuses) the guests' CPU group: cgroup v2 if the unified hierarchy offers the cpu
 * controller, else cgroup v1's cpu hierarchy, else autogroup nice per guest; "none" if none of it is
 * writable (an unprivileged agent in a container). Safe to call from several agents at once.
 */
export async function openGuestCpuGroup(opts: GuestCpuGroupOptions = {}): Promise<GuestCpuGroup> {
  const name = opts.name ?? DEFAULT_GUEST_CPU_GROUP;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new Error(`guest CPU group name must be a plain directory name: ${JSON.stringify(name)}`);
  const weight = opts.weight ?? DEFAULT_GUEST_CPU_WEIGHT;
  if (!Number.isInteger(weight) || weight < 1 || weight > 10_000)
    throw new Error(`guest CPU weight must be a whole number from 1 to 10000: ${weight}`);
  const root = opts.cgroupRoot ?? "/sys/fs/cgroup";
  const proc = opts.procRoot ?? "/proc";
  const warn = opts.onWarning ?? (() => undefined);
  const problems: string[] = [];

  const controllers = await exists(join(root, "cgroup.controllers"));
  if (controllers !== null && controllers.split(/\s+/).includes("cpu")) {
    try {
      // The root's children get the cpu controller only once the root hands it down.
      const subtree = (await exists(join(root, "cgroup.subtree_control"))) ?? "";
      if (!subtree.split(/\s+/).includes("cpu"))
        await writeFile(join(root, "cgroup.subtree_control"), "+cpu");
      const dir = join(root, name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "cpu.weight"), String(weight));
      return movingInto("cgroup2", dir, warn);
    } catch (err) {
      problems.push(`cgroup v2 at ${root}: ${(err as Error).message}`);
    }
  }
  const v1 = join(root, "cpu");
  if ((await exists(join(v1, "cpu.shares"))) !== null) {
    try {
      const dir = join(v1, name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "cpu.shares"), String(Math.round((weight * 1024) / 100)));
      return movingInto("cgroup1", dir, warn);
    } catch (err) {
      problems.push(`cgroup v1 at ${v1}: ${(err as Error).message}`);
    }
  }
  if ((await exists(join(proc, "self", "autogroup"))) !== null) {
    if (problems.length) warn(`guests get no shared CPU group (${problems.join("; ")}); niced per session`);
    return {
      kind: "autogroup",
      where: `nice ${AUTOGROUP_NICE} per guest session`,
      place: async (pid) => {
        await writeFile(join(proc, String(pid), "autogroup"), String(AUTOGROUP_NICE)).catch((err: Error) =>
          warn(`could not nice guest ${pid}'s session: ${err.message}`),
        );
      },
    };
  }
  if (problems.length) warn(`guests get no shared CPU group (${problems.join("; ")})`);
  return { kind: "none", where: "none", place: async () => undefined };
}

function movingInto(kind: "cgroup2" | "cgroup1", dir: string, warn: (m: string) => void): GuestCpuGroup {
  return {
    kind,
    where: dir,
    // cgroup.procs moves every thread of the process, the ones QEMU makes later included.
    place: async (pid) => {
      await writeFile(join(dir, "cgroup.procs"), String(pid)).catch((err: Error) =>
        warn(`could not move guest ${pid} into ${dir}: ${err.message}`),
      );
    },
  };
}
