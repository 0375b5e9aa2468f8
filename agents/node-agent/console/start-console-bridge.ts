import type { Logger } from "pino";
import { consoleUrlSchema, type JoinResponse } from "../../protocol/index";
import { watchConsoleKey } from "./console-key";
import { startConsoleServer, type ConsoleEndpoints, type ConsoleServer } from "./console-server";
import { defaultAdvertisedUrl, isWildcardHost, type ListenAddress } from "./listen-address";

export interface ConsoleBridge {
  /** Where the portal should reach it (no trailing slash); the portal uses the address pinned at join. */
  consoleUrl: string;
  server: ConsoleServer;
  stop(): Promise<void>;
}

/**
 * The agent's console side: fetches the portal's verify key in the background (consoles are refused
 * with 503 until it is known, so a portal that is still starting delays nothing) and starts the
 * bridge right away.
 */
export async function startConsoleBridge(opts: {
  creds: Pick<JoinResponse, "hostId" | "hostSecret" | "portalUrl">;
  /** Where each VM's consoles are (the host's drivers). */
  consoles: ConsoleEndpoints;
  log: Logger;
  /** run-agent.ts chooses: the address kept at join (pinned-console.ts), or the operator's. */
  listen: ListenAddress;
  advertiseUrl?: string;
}): Promise<ConsoleBridge> {
  const { hostId, hostSecret, portalUrl } = opts.creds;
  const { listen } = opts;
  const consoleUrl = opts.advertiseUrl?.replace(/\/+$/, "");
  if (consoleUrl !== undefined && !consoleUrlSchema.safeParse(consoleUrl).success) {
    throw new Error(
      `invalid console URL ${JSON.stringify(opts.advertiseUrl)}: EDUCLOUD_AGENT_CONSOLE_URL must look like ws://host:port`,
    );
  }
  const key = watchConsoleKey({ portalUrl, hostId, hostSecret, log: opts.log });
  let server: ConsoleServer;
  try {
    server = await startConsoleServer({
      hostId,
      consoles: opts.consoles,
      getVerifyKey: key.get,
      listen,
      log: opts.log,
    });
  } catch (err) {
    key.stop();
    throw new Error(
      `the console bridge cannot listen on ${listen.host}:${listen.port} (${(err as Error).message}); set EDUCLOUD_AGENT_CONSOLE_LISTEN`,
      { cause: err },
    );
  }
  const advertised = consoleUrl ?? defaultAdvertisedUrl(server.listening);
  if (!consoleUrl && isWildcardHost(server.listening.host)) {
    opts.log.warn(
      { consoleUrl: advertised },
      "the console bridge listens on every interface; set EDUCLOUD_AGENT_CONSOLE_URL if the portal cannot reach this host by that name",
    );
  }
  opts.log.info({ listening: server.url, consoleUrl: advertised }, "console bridge listening");
  return {
    consoleUrl: advertised,
    server,
    async stop() {
      key.stop();
      await server.close();
    },
  };
}
