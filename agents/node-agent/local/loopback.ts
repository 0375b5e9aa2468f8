// The launcher is for the person at this PC only: it listens on loopback and, on every request, checks
// where the socket really comes from (never a header, which anyone can write).
import { isIPv4 } from "node:net";

/** 127.0.0.0/8, ::1, or IPv4 loopback written as an IPv6-mapped address. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.split(".")[0] === "127";
  return address === "::1";
}

/**
 * The Host header a browser on this PC sends for the launcher: a loopback name with our port. Anything
 * else is a web page that resolved its own name to 127.0.0.1 (DNS rebinding) and is refused.
 */
export function isLauncherHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}
