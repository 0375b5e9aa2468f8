// What local mode keeps on the PC's disk, under <state-dir>/local/ (root only, like the credentials):
// the public profiles the portal last listed (so a cached one starts while the portal is unreachable),
// and the usage not yet reported (one file per run, gone once the portal has its end).
// A user's own profiles are never kept: offline, nobody can be signed in (the PC cannot check a
// password without the portal, and keeping password hashes on lab PCs is not worth the risk).
import { randomUUID } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  localProfileSchema,
  localUsageRecordSchema,
  type LocalProfile,
  type LocalUsageRecord,
} from "../../protocol/local";

const localDir = (stateDir: string) => join(stateDir, "local");
const profilesFile = (stateDir: string) => join(localDir(stateDir), "public-profiles.json");
const usageDir = (stateDir: string) => join(localDir(stateDir), "usage");
const UUID_FILE = /^[0-9a-f-]{36}\.json$/;

async function writeAtomically(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function savePublicProfiles(stateDir: string, profiles: LocalProfile[]): Promise<void> {
  await mkdir(localDir(stateDir), { recursive: true, mode: 0o700 });
  // Only public ones, whatever the caller passed: a user's list must not outlive their sign-in.
  const kept = profiles.filter((p) => p.public).map(({ imageTicket: _t, ...p }) => p);
  await writeAtomically(profilesFile(stateDir), JSON.stringify({ savedAt: new Date(), profiles: kept }));
}

export async function loadPublicProfiles(stateDir: string): Promise<LocalProfile[]> {
  try {
    const raw = JSON.parse(await readFile(profilesFile(stateDir), "utf8")) as { profiles?: unknown };
    return z
      .array(localProfileSchema)
      .parse(raw.profiles)
      .filter((p) => p.public);
  } catch {
    return [];
  }
}

/** A run's record on disk until the portal has its end; writing it again (with the end) replaces it. */
export async function queueUsage(stateDir: string, record: LocalUsageRecord): Promise<void> {
  await mkdir(usageDir(stateDir), { recursive: true, mode: 0o700 });
  await writeAtomically(join(usageDir(stateDir), `${record.id}.json`), JSON.stringify(record));
}

export async function pendingUsage(stateDir: string): Promise<LocalUsageRecord[]> {
  const names = await readdir(usageDir(stateDir)).catch(() => [] as string[]);
  const out: LocalUsageRecord[] = [];
  for (const name of names.filter((n) => UUID_FILE.test(n))) {
    const parsed = localUsageRecordSchema.safeParse(
      JSON.parse(await readFile(join(usageDir(stateDir), name), "utf8").catch(() => "null")),
    );
    if (parsed.success) out.push(parsed.data);
    else await rm(join(usageDir(stateDir), name), { force: true }); // unreadable: never reportable
  }
  return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** The portal has these: ended ones are done; running ones stay until their end is reported too. */
export async function markReported(stateDir: string, records: LocalUsageRecord[]): Promise<void> {
  for (const r of records) if (r.endedAt) await rm(join(usageDir(stateDir), `${r.id}.json`), { force: true });
}
