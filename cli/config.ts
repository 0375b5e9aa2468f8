// Where the CLI finds its portal and token: flags win over the environment, the environment over the
// saved file (~/.config/educloud/config.json, mode 0600: it holds a secret).
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { usageError } from "./exit-codes";

export const configSchema = z.object({
  url: z.string().url(),
  token: z.string().min(1),
});
export type CliConfig = z.infer<typeof configSchema>;

/** XDG_CONFIG_HOME when set (tests point it at a temporary directory), else ~/.config. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "educloud");
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "educloud");
}

export const configPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), "config.json");

export async function readSavedConfig(env: NodeJS.ProcessEnv = process.env): Promise<Partial<CliConfig>> {
  let text: string;
  try {
    text = await readFile(configPath(env), "utf8");
  } catch {
    return {};
  }
  const parsed = configSchema.partial().safeParse(JSON.parse(text));
  if (!parsed.success) throw usageError(`${configPath(env)} is not a valid eduCloud CLI configuration.`);
  return parsed.data;
}

export async function saveConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = configPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written beside and renamed, with 0600 from the first byte: the token is never readable by others.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

/** A portal address without the trailing slash, so paths join the same way whatever was typed. */
export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`"${url}" is not a URL (for example http://portal.school.example).`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw usageError(`"${url}" is not an http(s) address.`);
  return parsed.toString().replace(/\/+$/, "");
}

export interface ConnectionFlags {
  url?: string;
  token?: string;
}

/** The portal to talk to and the token to use (the token may be missing: public paths need none). */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; token: string | null }> {
  const saved = await readSavedConfig(env);
  const url = flags.url || env.EDUCLOUD_URL || saved.url;
  if (!url)
    throw usageError("No portal set.", [
      "Run `educloud login --url URL --token TOKEN`, or set EDUCLOUD_URL and EDUCLOUD_TOKEN.",
    ]);
  return { url: normalizeUrl(url), token: flags.token || env.EDUCLOUD_TOKEN || saved.token || null };
}
