import { z } from "zod";
import { parseCidr, parseIpv4 } from "./ipv4";

export const NETWORK_KINDS = ["tenant", "infrastructure"] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];
/** How many addresses a carved subnet holds. */
export const SUBNET_SIZES = [8, 16, 32, 64] as const;

const ipv4 = z
  .string()
  .trim()
  .refine((v) => parseIpv4(v) !== null, "Not an IPv4 address, e.g. 10.20.0.1.");
const ifname = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/, "A host interface name, e.g. eth1 (at most 15 characters).");

export const networkFields = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(64, "At most 64 characters.")
    .regex(/^[\w.-]+$/, "Letters, digits, dot, dash, underscore."),
  cidr: z
    .string()
    .trim()
    .superRefine((v, c) => {
      const r = parseCidr(v);
      // The code rides along so the server can name the problem in the reader's language.
      if (!r.ok) c.addIssue({ code: "custom", message: r.reason, params: { message: r.message } });
    }),
  /** Default: the first address of the network. */
  gateway: ipv4.optional(),
  dnsServers: z.array(ipv4).max(4, "At most 4 DNS servers.").default([]),
  vlanId: z
    .number()
    .int()
    .min(1, "VLAN ids run from 1 to 4094.")
    .max(4094, "VLAN ids run from 1 to 4094.")
    .nullable()
    .default(null),
  uplink: ifname.nullable().default(null),
  kind: z.enum(NETWORK_KINDS).default("tenant"),
  nat: z.boolean().default(true),
  /** Empty or absent: every host carries it. */
  hostIds: z.array(z.uuid()).max(1000).default([]),
});
export const createNetworkInput = networkFields.refine((v) => v.vlanId === null || v.uplink !== null, {
  message: "A VLAN needs the host interface that carries it.",
  path: ["uplink"],
});
export const updateNetworkInput = z.object({
  id: z.uuid(),
  dnsServers: z.array(ipv4).max(4).optional(),
  nat: z.boolean().optional(),
  hostIds: z.array(z.uuid()).max(1000).optional(),
});
export const networkIdInput = z.object({ id: z.uuid() });

export const carveSubnetInput = z.object({
  networkId: z.uuid(),
  /** The seed's "owner": a string naming the project, lab or stack the block is for. */
  owner: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(128)
    .regex(/^[\w.:@-]+$/, "Letters, digits and . : @ - _ only."),
  size: z
    .union(
      SUBNET_SIZES.map((n) => z.literal(n)) as unknown as [
        z.ZodLiteral<8>,
        z.ZodLiteral<16>,
        z.ZodLiteral<32>,
        z.ZodLiteral<64>,
      ],
      {
        error: "A subnet holds 8, 16, 32 or 64 addresses.",
      },
    )
    .default(64),
  timeoutSeconds: z.number().int().min(5).max(86_400).optional(),
});
export const subnetIdInput = z.object({ id: z.number().int().positive() });

export const allocateAddressInput = z.object({
  networkId: z.uuid(),
  label: z.string().trim().min(1, "Say what it is for.").max(128),
  /** Take it from this carved subnet instead of the network's free pool. */
  subnetId: z.number().int().positive().optional(),
});
export const addressIdInput = z.object({ id: z.number().int().positive() });

export const addPortForwardInput = z.object({
  instanceId: z.uuid(),
  protocol: z.enum(["tcp", "udp"]).default("tcp"),
  hostPort: z.number().int().min(1).max(65535),
  guestPort: z.number().int().min(1, "A port from 1 to 65535.").max(65535, "A port from 1 to 65535."),
  /** Which NIC (default the first). */
  nicIndex: z.number().int().min(0).max(7).default(0),
});
export const portForwardIdInput = z.object({ id: z.number().int().positive() });
export const instanceIdInput = z.object({ instanceId: z.uuid() });
export const listSubnetsInput = z.object({ networkId: z.uuid().optional() }).default({});
