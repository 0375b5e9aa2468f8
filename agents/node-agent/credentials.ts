import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { joinResponseSchema, type JoinResponse } from "../protocol/index";

/** The host's identity, kept in the agent's own state directory, readable by root only. */
export const credentialsPath = (stateDir: string) => join(stateDir, "credentials.json");

export async function saveCredentials(stateDir: string, creds: JoinResponse): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const tmp = `${credentialsPath(stateDir)}.tmp`;
  await writeFile(tmp, JSON.stringify(creds, null, 2), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, credentialsPath(stateDir));
}

export async function loadCredentials(stateDir: string): Promise<JoinResponse | null> {
  try {
    return joinResponseSchema.parse(JSON.parse(await readFile(credentialsPath(stateDir), "utf8")));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(
      `${credentialsPath(stateDir)} is unreadable: ${(err as Error).message}. Join again with a new token.`,
      { cause: err },
    );
  }
}
