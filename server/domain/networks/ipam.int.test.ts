// IPAM on real MariaDB: correctness under concurrency comes from row locks and unique indexes, and
// these tests hammer exactly that.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ipAddresses, ipSubnets } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { startMaintenance } from "@/server/queue/maintenance";
import { createQueueConnection } from "@/server/queue/redis";
import {
  contextFor,
  makeUser,
  openTestServices,
  testSettings,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { deleteKeys } from "@/server/testing/run-redis-keys";
import {
  allocateInfrastructureAddress,
  carveSubnet,
  confirmSubnet,
  deleteSubnet,
  expireSubnets,
  releaseInfrastructureAddress,
} from "./ipam";
import { formatIpv4, parseIpv4 } from "./ipv4";
import { createNetwork, deleteNetwork } from "./manage-networks";

let s: TestServices;
let admin: Actor;
const ctx = () => contextFor(s, admin);
// Each test takes its own 10.x.y.0/2z; a random second octet keeps parallel runs apart.
const octet = 100 + (randomBytes(1)[0]! % 100);
let third = 0;
const freshCidr = (prefix = 24) => `10.${octet}.${(third += 4)}.0/${prefix}`;

const newNetwork = (cidr: string, over: Partial<Parameters<typeof createNetwork>[1]> = {}) =>
  createNetwork(ctx(), {
    name: uniqueName("net"),
    cidr,
    dnsServers: [],
    vlanId: null,
    uplink: null,
    kind: "tenant",
    nat: true,
    hostIds: [],
    ...over,
  });

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "expected a refusal").toBeInstanceOf(DomainError);
  return err as DomainError;
}

beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm", []);
});
afterAll(() => s?.close());

describe("networks", () => {
  it("refuses overlapping CIDRs with the clashing network's name, also when created at the same time", async () => {
    const base = freshCidr(24);
    const first = await newNetwork(base);
    const half = base.replace(/\.0\/24$/, ".128/25");
    const err = await refusal(newNetwork(half));
    expect(err.kind).toBe("CONFLICT");
    expect(err.message).toBe(`${half} overlaps the network ${first.name} (${base}).`);

    const contested = freshCidr(24);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => newNetwork(contested)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected"))
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/overlaps the network/);
  });

  it("refuses a gateway outside the network and a CIDR that is not a network address", async () => {
    expect((await refusal(newNetwork(freshCidr(24), { gateway: "192.0.2.1" }))).fieldErrors).toHaveProperty(
      "gateway",
    );
    const c = freshCidr(24).replace(/\.0\//, ".9/");
    expect((await refusal(newNetwork(c))).message).toMatch(/is not a network address; did you mean/);
  });
});

describe("addresses", () => {
  it("200 concurrent allocations on a /24 give 200 distinct addresses, never network, broadcast or gateway", async () => {
    const n = await newNetwork(freshCidr(24));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        allocateInfrastructureAddress(ctx(), { networkId: n.id, label: `dev-${i}` }),
      ),
    );
    const ips = results.map((a) => a.ip);
    expect(new Set(ips).size).toBe(200);
    expect(new Set(results.map((a) => a.mac)).size).toBe(200);
    const first = parseIpv4(n.cidr.split("/")[0]!)!;
    for (const ip of [formatIpv4(first), formatIpv4(first + 255), n.gateway]) expect(ips).not.toContain(ip);
    // What the database holds agrees with what the callers were told.
    const rows = await s.db.select().from(ipAddresses).where(eq(ipAddresses.networkId, n.id));
    expect(rows.map((r) => r.ip).sort()).toEqual([...ips].sort());
  }, 60_000);

  it("200 concurrent allocations on a /26 fill it exactly and the rest hear that it is full", async () => {
    const n = await newNetwork(freshCidr(26));
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        allocateInfrastructureAddress(ctx(), { networkId: n.id, label: `x-${i}` }),
      ),
    );
    const ok = results
      .filter((r) => r.status === "fulfilled")
      .map((r) => (r as PromiseFulfilledResult<{ ip: string }>).value.ip);
    expect(ok).toHaveLength(64 - 3);
    expect(new Set(ok).size).toBe(61);
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(refused).toHaveLength(139);
    for (const r of refused)
      expect((r.reason as Error).message).toBe(
        `The network ${n.name} (${n.cidr}) is full: no free address left.`,
      );
  }, 60_000);

  it("a released address is handed out again; instance addresses are not released by hand", async () => {
    const n = await newNetwork(freshCidr(28));
    const a = await allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "a" });
    await allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "b" });
    await releaseInfrastructureAddress(ctx(), a.id);
    expect((await allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "c" })).ip).toBe(a.ip);
  });
});

describe("subnets", () => {
  it("carves aligned blocks that avoid the gateway and each other, one per owner", async () => {
    const n = await newNetwork(freshCidr(24));
    const base = n.cidr.split(".").slice(0, 3).join(".");
    const a = await carveSubnet(ctx(), { networkId: n.id, owner: "lab-a", size: 64 });
    const b = await carveSubnet(ctx(), { networkId: n.id, owner: "lab-b", size: 8 });
    expect(a.cidr).toBe(`${base}.64/26`); // .0/26 holds the network address and the gateway (.1)
    expect(b.cidr).toBe(`${base}.8/29`);
    expect(a.usable).toBe(62);
    expect(a.state).toBe("reserved");
    expect((await refusal(carveSubnet(ctx(), { networkId: n.id, owner: "lab-a", size: 8 }))).message).toMatch(
      /"lab-a" already has the subnet/,
    );
    // Addresses from the pool never land inside a carved block; addresses from a subnet always do.
    const pool = await allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "pool" });
    expect(pool.ip).toBe(`${base}.2`);
    const inA = await allocateInfrastructureAddress(ctx(), {
      networkId: n.id,
      label: "in-a",
      subnetId: a.id,
    });
    expect(inA.ip).toBe(`${base}.65`);
    expect((await refusal(deleteSubnet(ctx(), a.id))).message).toMatch(
      new RegExp(`still has addresses in use: ${base}\\.65 \\(in-a\\)`),
    );
  });

  it("an unconfirmed subnet returns to the pool after its timeout; using it then fails with the reason", async () => {
    const n = await newNetwork(freshCidr(24));
    const sub = await carveSubnet(ctx(), { networkId: n.id, owner: "stack-1", size: 16, timeoutSeconds: 1 });
    const kept = await carveSubnet(ctx(), { networkId: n.id, owner: "stack-2", size: 16, timeoutSeconds: 1 });
    await confirmSubnet(ctx(), kept.id); // confirmed in time: stays
    expect(await expireSubnets(s.db, new Date(Date.now() + 2000))).toBeGreaterThanOrEqual(1);
    const [row] = await s.db.select().from(ipSubnets).where(eq(ipSubnets.id, sub.id));
    expect(row!.state).toBe("expired");
    const [keptRow] = await s.db.select().from(ipSubnets).where(eq(ipSubnets.id, kept.id));
    expect(keptRow!.state).toBe("confirmed");

    const use = await refusal(
      allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "late", subnetId: sub.id }),
    );
    expect(use.kind).toBe("CONFLICT");
    expect(use.message).toBe(
      `The subnet ${sub.cidr} reserved for "stack-1" expired at ${row!.expiresAt!.toISOString()} without being confirmed and went back to the pool; carve a new one.`,
    );
    expect((await refusal(confirmSubnet(ctx(), sub.id))).message).toMatch(/went back to the pool/);
    // The block is free again: the next owner gets it.
    expect((await carveSubnet(ctx(), { networkId: n.id, owner: "stack-3", size: 16 })).cidr).toBe(sub.cidr);
  });

  it("the scheduled job expires subnets on its own", async () => {
    const n = await newNetwork(freshCidr(24));
    const sub = await carveSubnet(ctx(), { networkId: n.id, owner: "timed", size: 8, timeoutSeconds: 1 });
    const connection = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    // A queue of its own inside the run's namespace, removed below (its job scheduler never expires).
    const prefix = `${s.prefix}:maint-${randomBytes(3).toString("hex")}`;
    const m = await startMaintenance({
      db: s.db,
      connection,
      prefix,
      log: pino({ level: "silent" }),
      expireEveryMs: 300,
    });
    try {
      const deadline = Date.now() + 15_000;
      let state = "reserved";
      while (Date.now() < deadline && state !== "expired") {
        await new Promise((r) => setTimeout(r, 250));
        state = (await s.db.select().from(ipSubnets).where(eq(ipSubnets.id, sub.id)))[0]!.state;
      }
      expect(state).toBe("expired");
    } finally {
      await m.close();
      await deleteKeys(connection, `${prefix}:*`);
      connection.disconnect();
    }
  }, 30_000);

  it("a network with addresses or live subnets cannot be deleted; an empty one can", async () => {
    const n = await newNetwork(freshCidr(28));
    const a = await allocateInfrastructureAddress(ctx(), { networkId: n.id, label: "gw2" });
    expect((await refusal(deleteNetwork(ctx(), n.id))).message).toBe(
      `${n.name} still has 1 address in use (instances or infrastructure). Delete or release them first.`,
    );
    await releaseInfrastructureAddress(ctx(), a.id);
    const sub = await carveSubnet(ctx(), { networkId: n.id, owner: "lab-z", size: 8 });
    expect((await refusal(deleteNetwork(ctx(), n.id))).message).toMatch(/still has subnets for "lab-z"/);
    await deleteSubnet(ctx(), sub.id);
    await deleteNetwork(ctx(), n.id);
  });

  it("the settings' default timeout applies", async () => {
    const n = await newNetwork(freshCidr(24));
    const before = Date.now();
    const sub = await carveSubnet(
      contextFor(s, admin, "127.0.0.1", { settings: testSettings({ subnetTimeoutSeconds: 120 }) }),
      { networkId: n.id, owner: "dflt", size: 8 },
    );
    expect(sub.expiresAt!.getTime() - before).toBeGreaterThan(119_000);
    expect(sub.expiresAt!.getTime() - before).toBeLessThan(125_000);
  });
});
