// The console address is pinned when the host joins: the portal stores the URL sent with the join
// request and from then on connects only there (an admin may move it; heartbeats cannot). So the agent
// decides its listen address at join, keeps it in <state-dir>/console.json, and listens there ever after.
import { createServer } from "node:net";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { consoleUrlSchema } from "../../protocol/index";
import { defaultAdvertisedUrl, parseListenAddress, type ListenAddress } from "./listen-address";

const pinnedSchema = z.object({ listen: z.string(), url: consoleUrlSchema });
export interface PinnedConsole {
  listen: ListenAddress;
  url: string;
}

export const pinnedConsolePath = (stateDir: string) => join(stateDir, "console.json");

/** A free port on that address now (port 0 in the listen address means "choose one at join, keep it"). */
async function pickFreePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** What this host will tell the portal at join: where the bridge will listen, and the URL to reach it. */
export async function chooseConsoleAddress(opts: {
  listen: ListenAddress;
  advertiseUrl?: string;
}): Promise<PinnedConsole> {
  const listen =
    opts.listen.port === 0 ? { ...opts.listen, port: await pickFreePort(opts.listen.host) } : opts.listen;
  const url = opts.advertiseUrl?.replace(/\/+$/, "") ?? defaultAdvertisedUrl(listen);
  if (!consoleUrlSchema.safeParse(url).success)
    throw new Error(
      `invalid console URL ${JSON.stringify(url)}: EDUCLOUD_AGENT_CONSOLE_URL must be ws://host:port or wss://host:port, nothing else`,
    );
  return { listen, url };
}

export async function savePinnedConsole(stateDir: string, pinned: PinnedConsole): Promise<void> {
  const listen = pinned.listen.host.includes(":")
    ? `[${pinned.listen.host}]:${pinned.listen.port}`
    : `${pinned.listen.host}:${pinned.listen.port}`;
  const tmp = `${pinnedConsolePath(stateDir)}.tmp`;
  await writeFile(tmp, JSON.stringify({ listen, url: pinned.url }, null, 2), { mode: 0o600 });
  await rename(tmp, pinnedConsolePath(stateDir));
}

/** Null for a host that joined before addresses were pinned (the portal kept its last reported one). */
export async function loadPinnedConsole(stateDir: string): Promise<PinnedConsole | null> {
  let raw: string;
  try {
    raw = await readFile(pinnedConsolePath(stateDir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const p = pinnedSchema.parse(JSON.parse(raw));
  return { listen: parseListenAddress(p.listen), url: p.url };
}
