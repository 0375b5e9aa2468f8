import os from "node:os";

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Loopback on a fixed port: nothing is reachable from other machines unless an operator asks
 * (multi-host installs set EDUCLOUD_AGENT_CONSOLE_LISTEN=0.0.0.0:7901). Fixed, because the portal pins
 * the address at join; port 0 means "pick a free port at join and keep it" (pinned-console.ts).
 */
export const DEFAULT_CONSOLE_LISTEN = "127.0.0.1:7901";

/** "host:port", "[v6]:port" or ":port" (all interfaces). */
export function parseListenAddress(value: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new Error(
      `invalid console listen address ${JSON.stringify(value)}: use host:port, e.g. 0.0.0.0:7901 or 127.0.0.1:0`,
    );
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export function formatWsUrl(host: string, port: number): string {
  return `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

/**
 * The URL the portal should use when none is configured: the listen address, except that a wildcard
 * (0.0.0.0) is not an address anyone can connect to, so this machine's hostname stands in for it.
 */
export function defaultAdvertisedUrl(listening: ListenAddress, hostname = os.hostname()): string {
  return formatWsUrl(isWildcardHost(listening.host) ? hostname : listening.host, listening.port);
}
