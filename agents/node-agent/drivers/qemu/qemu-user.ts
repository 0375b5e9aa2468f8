// The unprivileged account QEMU runs as. The agent starts QEMU already as this user (setpriv, see
// spawn-qemu.ts), so everything QEMU opens — the disk and its base image, volumes, taps, /dev/kvm, its
// sockets, pidfile and serial log, a capture's target — must be reachable by this user; the functions
// here arrange that without opening the agent's own files to it.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { chmod, chown, lchown, lstat, mkdir, open, stat } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface QemuUser {
  name: string;
  uid: number;
  gid: number;
}

/** Account names as useradd accepts them; the name goes on QEMU's command line. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** The default account (scripts/setup.sh creates it: a system user without a shell or home). */
export const DEFAULT_QEMU_USER = "educloud-qemu";

/** The user's ids from the system's account database (`id`), or null when there is no such user. */
export async function lookUpQemuUser(name: string): Promise<QemuUser | null> {
  if (!USER_NAME.test(name)) return null;
  try {
    const [uid, gid] = await Promise.all(
      ["-u", "-g"].map(async (flag) =>
        Number((await execFileAsync("id", [flag, name], { timeout: 5_000 })).stdout.trim()),
      ),
    );
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid: uid!, gid: gid! } : null;
  } catch {
    return null;
  }
}

export function missingQemuUserReason(name: string): string {
  return USER_NAME.test(name)
    ? `the user ${name} that QEMU runs as does not exist: create it (scripts/setup.sh does: useradd --system --no-create-home --shell /usr/sbin/nologin --groups kvm ${name}) or set EDUCLOUD_AGENT_QEMU_USER`
    : `EDUCLOUD_AGENT_QEMU_USER is not a user name: ${JSON.stringify(name)}`;
}

/** `file` becomes the QEMU user's (read and write, nobody else): a disk or volume QEMU opens. */

/**
 * The serial log QEMU appends to, made (if missing) and given to the user in the root-owned run
 * directory: QEMU may write it, but not replace it with anything the agent would then follow.
 */
export async function prepareSerialLog(log: string, user: QemuUser): Promise<void> {
  const fh = await open(
    log,
    constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await fh.chown(user.uid, user.gid);
  } finally {
    await fh.close();
  }
}
export async function giveToQemuUser(file: string, user: QemuUser): Promise<void> {
  await chown(file, user.uid, user.gid);
}

/**
 * Lets the QEMU user's group pass through `dir` (search only, no listing; `write`: also create files
 * there): the agent's folders stay closed to everyone else (the host's credentials live in the state
 * directory, readable by root only).
 */
export async function letQemuUserTraverse(
  dir: string,
  user: QemuUser,
  opts: { write?: boolean } = {},
): Promise<void> {
  const st = await stat(dir);
  if (st.uid === user.uid) return;
  if (st.gid !== user.gid) await chown(dir, st.uid, user.gid);
  const want = opts.write ? 0o030 : 0o010;
  if ((st.mode & want) !== want) await chmod(dir, (st.mode & 0o7777) | want);
}

/**
 * Lets the QEMU user's group read `file` (a base image QEMU opens read-only as the backing file of an
 * overlay): the file stays root's, so QEMU cannot change it under the other VMs that share it.
 */
export async function letQemuUserRead(file: string, user: QemuUser): Promise<void> {
  const st = await stat(file);
  if (st.uid === user.uid) return;
  if (st.gid !== user.gid) await chown(file, st.uid, user.gid);
  if ((st.mode & 0o040) === 0) await chmod(file, (st.mode & 0o7777) | 0o040);
}

/**
 * The folder QEMU creates its files in (sockets, pidfile): the user's own (0700), or root's when QEMU
 * runs as root. It sits in the root-owned run directory, so it cannot be a planted symlink.
 */
export async function prepareQemuDir(dir: string, user: QemuUser | null): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  await lchown(dir, user?.uid ?? 0, user?.gid ?? 0);
  await chmod(dir, 0o700);
}

/**
 * Takes QEMU's folder back (root's, 0700) before the agent removes it: once QEMU is gone, nothing
 * running as its user can still change what the recursive delete walks through.
 */
export async function reclaimQemuDir(dir: string): Promise<void> {
  const st = await lstat(dir).catch(() => null);
  if (!st?.isDirectory()) return;
  await lchown(dir, 0, 0);
  await chmod(dir, 0o700);
}

/** Whether the user (with its supplementary groups, as setpriv starts QEMU) may open /dev/kvm. */
export async function canQemuUserOpenKvm(user: QemuUser): Promise<boolean> {
  try {
    await execFileAsync(
      "setpriv",
      [
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        "--init-groups",
        "--",
        "test",
        "-r",
        "/dev/kvm",
        "-a",
        "-w",
        "/dev/kvm",
      ],
      { timeout: 5_000 },
    );
    return true;
  } catch {
    return false;
  }
}
