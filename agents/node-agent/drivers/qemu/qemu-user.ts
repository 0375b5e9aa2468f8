// The unprivileged account QEMU runs as (-runas). QEMU opens what it is started with (disks, taps, KVM,
// sockets, the serial log) as root, then drops to this user before the guest runs a single instruction;
// whatever it opens later (hot-plugged volumes, a capture's target) and the folders above those files
// must be reachable by this user, which grantQemuAccess arranges.
import { execFile } from "node:child_process";
import { chmod, chown, stat } from "node:fs/promises";
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

/** `file` becomes the QEMU user's (read and write, nobody else): a disk or volume QEMU opens after dropping. */
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
