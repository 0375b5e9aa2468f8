// Parsers for what `ip -j` and `nft -j` print. zod at this edge too: a tool that prints something
// unexpected fails loudly here instead of steering the agent into deleting the wrong thing.
import { z } from "zod";

export interface LinkInfo {
  name: string;
  /** `bridge`, `tun`, `vlan`, `veth`, … or null for a plain device (lo, a NIC). */
  kind: string | null;
  /** The bridge this link is a port of, if any. */
  master: string | null;
  up: boolean;
  /** A tap's owner (user name or uid, as `ip -d` prints it); unset for other links and unowned taps. */
  owner?: string;
  /** Up, but nothing attached (a tap no QEMU holds open) or no cable. */
  noCarrier: boolean;
}

const linkJson = z.array(
  z.object({
    ifname: z.string(),
    flags: z.array(z.string()).default([]),
    master: z.string().optional(),
    linkinfo: z
      .object({
        info_kind: z.string().optional(),
        info_data: z
          .object({ user: z.union([z.string(), z.number()]).optional() })
          .passthrough()
          .optional(),
      })
      .optional(),
  }),
);

export function parseLinks(stdout: string): LinkInfo[] {
  return linkJson.parse(JSON.parse(stdout || "[]")).map((l) => ({
    name: l.ifname,
    kind: l.linkinfo?.info_kind ?? null,
    master: l.master ?? null,
    up: l.flags.includes("UP"),
    ...(l.linkinfo?.info_data?.user !== undefined && { owner: String(l.linkinfo.info_data.user) }),
    noCarrier: l.flags.includes("NO-CARRIER"),
  }));
}

const addrJson = z.array(
  z.object({
    addr_info: z
      .array(z.object({ family: z.string(), local: z.string(), prefixlen: z.number() }))
      .default([]),
  }),
);

/** IPv4 addresses (with prefix) of the one device `ip -j -4 addr show dev X` was asked about. */
export function parseIpv4Addresses(stdout: string): { address: string; prefix: number }[] {
  return addrJson
    .parse(JSON.parse(stdout || "[]"))
    .flatMap((l) => l.addr_info)
    .filter((a) => a.family === "inet")
    .map((a) => ({ address: a.local, prefix: a.prefixlen }));
}

const nftJson = z.object({
  nftables: z.array(
    z.union([
      z.object({ table: z.object({ family: z.string(), name: z.string() }) }),
      z.object({}).passthrough(),
    ]),
  ),
});

/** `nft -j list tables` → [{family, name}] (the metainfo entry is skipped). */
export function parseNftTables(stdout: string): { family: string; name: string }[] {
  return nftJson
    .parse(JSON.parse(stdout))
    .nftables.flatMap((e) => ("table" in e && e.table ? [e.table as { family: string; name: string }] : []));
}
