import { joinResponseSchema, type JoinResponse } from "../protocol/index";
import type { DriverRegistry } from "./drivers/driver-registry";
import { collectFacts } from "./collect-facts";
import { saveCredentials } from "./credentials";
import type { ListenAddress } from "./console/listen-address";
import { chooseConsoleAddress, savePinnedConsole } from "./console/pinned-console";

/** Trades a one-time token for this host's credentials and stores them in the state directory. */
export async function joinPortal(opts: {
  portal: string;
  token: string;
  name: string;
  stateDir: string;
  drivers: DriverRegistry;
  /** Where the console bridge will listen, and the URL the portal pins for it (see pinned-console.ts). */
  console: { listen: ListenAddress; advertiseUrl?: string };
  /** A lab PC joining for local mode says so at once (the portal places nothing on it). */
  localMode?: boolean;
}): Promise<JoinResponse> {
  const facts = await collectFacts(opts.stateDir, opts.drivers, { localMode: opts.localMode });
  const pinned = await chooseConsoleAddress(opts.console);
  const res = await fetch(new URL("/api/v1/agent/join", opts.portal), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: opts.token, name: opts.name, facts, consoleUrl: pinned.url }),
  });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok)
    throw new Error(`The portal refused to join this host: ${body.message ?? `HTTP ${res.status}`}`);
  // Keep the address this host reached the portal at: it is proven reachable from here, unlike the
  // portal's public URL (NEXTAUTH_URL), which may be a name only users' browsers resolve.
  const creds = { ...joinResponseSchema.parse(body), portalUrl: opts.portal.replace(/\/+$/, "") };
  await savePinnedConsole(opts.stateDir, pinned);
  await saveCredentials(opts.stateDir, creds);
  return creds;
}
