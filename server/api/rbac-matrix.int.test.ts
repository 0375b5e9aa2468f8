// Calls EVERY procedure of appRouter as every kind of caller and checks the answer against the
// permission table. A procedure added without a permission entry, or without a fixture here, fails.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { permissionFor, roleMeets, type Permission, type Resource } from "@/server/auth/permissions";
import type { Actor } from "@/server/domain/context";
import {
  callerFor,
  contextFor,
  FIXTURE_PASSWORD,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeNetwork,
  makeNic,
  makeUser,
  nextFixtureCidr,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { allocateInfrastructureAddress, carveSubnet } from "@/server/domain/networks/ipam";
import { addPortForward } from "@/server/domain/networks/port-forwards";
import { madeTaskOf, makeImageOf, taskOfUser } from "@/server/testing/image-fixtures";
import { makeSnapshotRow, makeVolumeRow } from "@/server/testing/storage-fixtures";
import { appRouter } from "./root";
import type { ProcedureMeta } from "./trpc";

type ActorKind =
  "anonymous" | "user" | "powerUser" | "powerAdm" | "superAdm" | "otherGroupUser" | "otherGroupAdmin";
const ACTOR_KINDS: ActorKind[] = [
  "anonymous",
  "user",
  "powerUser",
  "powerAdm",
  "superAdm",
  "otherGroupUser",
  "otherGroupAdmin",
];

interface World {
  s: TestServices;
  groupA: number;
  groupB: number;
  /** A plain user in group A: the object that scoped procedures are pointed at. */
  targetUserA: Actor;
  hostId: string;
  flavorId: number;
  imageId: string;
  /** An instance of targetUserA's, managed in group A, in the given state. */
  instanceOfA: (state: "RUNNING" | "STOPPED") => Promise<string>;
  /** A running instance of targetUserA's with a NIC on networkId. */
  instanceOfAWithNic: () => Promise<string>;
  networkId: string;
  /** A subnet the powerAdm of group A carved. */
  subnetOfPowerAdm: number;
  carveAsPowerAdm: () => Promise<number>;
  nextHostPort: () => number;
  actors: Record<ActorKind, Actor | null>;
}

interface Fixture {
  input: (w: World) => Promise<unknown> | unknown;
  /** The call names an object in group A: callers outside group A (not superAdm) must be refused. */
  targetsGroupA?: boolean;
  /** For lists: what a caller may see. */
  checkResult?: (w: World, kind: ActorKind, result: unknown) => void;
}

const ids = (rows: unknown) => (rows as { id: number }[]).map((r) => r.id);
const outsideA = (k: ActorKind) => k === "otherGroupUser" || k === "otherGroupAdmin";

const FIXTURES: Record<string, Fixture> = {
  "account.me": { input: () => undefined },
  "account.changePassword": {
    input: () => ({
      currentPassword: FIXTURE_PASSWORD,
      newPassword: "a-new-password-9",
      confirmPassword: "a-new-password-9",
    }),
  },
  "account.updatePreferences": { input: () => ({ theme: "dark" }) },
  "users.list": {
    input: () => ({}),
    checkResult: (w, kind, result) => {
      const seen = ids(result);
      if (outsideA(kind)) expect(seen).not.toContain(w.targetUserA.id);
      else expect(seen).toContain(w.targetUserA.id);
    },
  },
  "users.get": { input: (w) => ({ id: w.targetUserA.id }), targetsGroupA: true },
  "users.create": {
    input: (w) => ({
      username: uniqueName("new"),
      displayName: "New",
      password: "long-enough-pw",
      role: "user",
      groupIds: [w.groupA],
    }),
  },
  "users.update": {
    input: async (w) => ({ id: (await makeUser(w.s, "user", [w.groupA])).id, displayName: "Renamed" }),
  },
  "users.setDisabled": {
    input: async (w) => ({ id: (await makeUser(w.s, "user", [w.groupA])).id, disabled: true }),
  },
  "users.resetPassword": {
    input: async (w) => ({ id: (await makeUser(w.s, "user", [w.groupA])).id, password: "reset-password-1" }),
  },
  "groups.list": {
    input: () => undefined,
    checkResult: (w, kind, result) => {
      const seen = ids(result);
      if (outsideA(kind)) expect(seen).not.toContain(w.groupA);
      else expect(seen).toContain(w.groupA);
    },
  },
  "groups.get": { input: (w) => ({ id: w.groupA }), targetsGroupA: true },
  "groups.create": { input: () => ({ name: uniqueName("g") }) },
  "groups.update": { input: async (w) => ({ id: await makeGroup(w.s), description: "changed" }) },
  "groups.delete": { input: async (w) => ({ id: await makeGroup(w.s) }) },
  "groups.setMembers": { input: async (w) => ({ id: await makeGroup(w.s), userIds: [w.targetUserA.id] }) },
  "hosts.list": { input: () => undefined },
  "hosts.createJoinToken": { input: () => undefined },
  "hosts.setEnabled": { input: (w) => ({ id: w.hostId, enabled: true }) },
  "flavors.list": { input: () => undefined },
  "flavors.create": { input: () => ({ name: uniqueName("f"), vcpus: 1, memoryMiB: 128, diskGiB: 1 }) },
  "flavors.update": { input: async (w) => ({ id: await makeFlavor(w.s), diskGiB: 2 }) },
  "flavors.delete": { input: async (w) => ({ id: await makeFlavor(w.s) }) },
  "images.list": { input: () => undefined },
  "images.versions": { input: (w) => ({ id: w.imageId }) },
  "images.update": {
    input: async (w) => ({
      id: await makeImageOf(w.s, { ownerId: w.targetUserA.id, groupId: w.groupA }),
      osType: "debian",
    }),
    targetsGroupA: true,
  },
  "images.delete": {
    input: async (w) => ({ id: await makeImageOf(w.s, { ownerId: w.targetUserA.id, groupId: w.groupA }) }),
    targetsGroupA: true,
  },
  "images.sync": { input: (w) => ({ id: w.imageId, hostIds: [w.hostId] }) },
  "images.hostCache": { input: (w) => ({ id: w.imageId }) },
  "tasks.list": {
    input: async (w) => {
      await taskOfUser(w.s, w.targetUserA.id);
      return {};
    },
    checkResult: (w, kind, result) => {
      const seen = (result as { id: string }[]).map((t) => t.id);
      const task = madeTaskOf(w.targetUserA.id);
      expect(task).toBeDefined();
      if (kind === "powerAdm" || kind === "superAdm") expect(seen).toContain(task);
      else expect(seen).not.toContain(task);
    },
  },
  "instances.list": {
    input: () => ({}),
    checkResult: (w, kind, result) => {
      const owners = (result as { owner: { id: number } }[]).map((i) => i.owner.id);
      const seesA = kind === "powerAdm" || kind === "superAdm";
      if (seesA) expect(owners).toContain(w.targetUserA.id);
      else expect(owners).not.toContain(w.targetUserA.id);
    },
  },
  "instances.get": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.events": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.create": {
    input: (w) => ({ name: uniqueName("vm"), imageId: w.imageId, flavorId: w.flavorId }),
  },
  "instances.start": { input: async (w) => ({ id: await w.instanceOfA("STOPPED") }), targetsGroupA: true },
  "instances.stop": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.reboot": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.delete": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "consoles.createTicket": {
    input: async (w) => ({ instanceId: await w.instanceOfA("RUNNING"), kind: "vnc" }),
    targetsGroupA: true,
  },
  "instances.nics": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "networks.choices": { input: () => undefined },
  "networks.list": { input: () => undefined },
  "networks.get": { input: (w) => ({ id: w.networkId }) },
  "networks.create": { input: () => ({ name: uniqueName("net"), cidr: nextFixtureCidr() }) },
  "networks.update": { input: (w) => ({ id: w.networkId, dnsServers: ["192.0.2.53"] }) },
  "networks.delete": { input: async (w) => ({ id: await makeNetwork(w.s) }) },
  "networks.exportUsageCsv": { input: () => undefined },
  "ipam.listSubnets": {
    input: () => ({}),
    checkResult: (w, kind, result) => {
      const seen = ids(result);
      // A powerAdm sees the subnets they carved; another group's powerAdm does not.
      if (kind === "otherGroupAdmin") expect(seen).not.toContain(w.subnetOfPowerAdm);
      else expect(seen).toContain(w.subnetOfPowerAdm);
    },
  },
  "ipam.carveSubnet": { input: (w) => ({ networkId: w.networkId, owner: uniqueName("lab"), size: 8 }) },
  "ipam.confirmSubnet": { input: async (w) => ({ id: await w.carveAsPowerAdm() }), targetsGroupA: true },
  "ipam.deleteSubnet": { input: async (w) => ({ id: await w.carveAsPowerAdm() }), targetsGroupA: true },
  "ipam.allocateAddress": { input: (w) => ({ networkId: w.networkId, label: "router" }) },
  "ipam.releaseAddress": {
    input: async (w) => ({
      id: (
        await allocateInfrastructureAddress(contextFor(w.s, w.actors.superAdm), {
          networkId: w.networkId,
          label: "switch",
        })
      ).id,
    }),
  },
  "portForwards.list": {
    input: async (w) => ({ instanceId: await w.instanceOfAWithNic() }),
    targetsGroupA: true,
  },
  "portForwards.create": {
    input: async (w) => ({
      instanceId: await w.instanceOfAWithNic(),
      hostPort: w.nextHostPort(),
      guestPort: 80,
    }),
    targetsGroupA: true,
  },
  "portForwards.delete": {
    input: async (w) => {
      const instanceId = await w.instanceOfAWithNic();
      const f = await addPortForward(contextFor(w.s, w.actors.superAdm), {
        instanceId,
        protocol: "tcp",
        hostPort: w.nextHostPort(),
        guestPort: 22,
        nicIndex: 0,
      });
      return { id: f.id };
    },
    targetsGroupA: true,
  },
  "audit.list": { input: () => ({ limit: 5 }) },
  "audit.exportCsv": { input: () => ({}) },
  "health.status": { input: () => undefined },
  "snapshots.list": {
    input: async (w) => ({ instanceId: await w.instanceOfA("RUNNING") }),
    targetsGroupA: true,
  },
  "snapshots.create": {
    input: async (w) => ({ instanceId: await w.instanceOfA("RUNNING"), name: "before upgrade" }),
    targetsGroupA: true,
  },
  "snapshots.revert": {
    input: async (w) => ({ id: await makeSnapshotRow(w.s, await w.instanceOfA("STOPPED")) }),
    targetsGroupA: true,
  },
  "snapshots.delete": {
    input: async (w) => ({ id: await makeSnapshotRow(w.s, await w.instanceOfA("RUNNING")) }),
    targetsGroupA: true,
  },
  "captures.create": {
    input: async (w) => ({ instanceId: await w.instanceOfA("RUNNING"), name: uniqueName("captured") }),
    targetsGroupA: true,
  },
  "volumes.list": {
    input: async (w) => {
      volumeOfA ??= await makeVolumeRow(w.s, {
        ownerId: w.targetUserA.id,
        groupId: w.groupA,
        hostId: w.hostId,
      });
      return {};
    },
    checkResult: (_w, kind, result) => {
      const seen = (result as { id: string }[]).map((v) => v.id);
      expect(volumeOfA).toBeDefined();
      if (kind === "powerAdm" || kind === "superAdm") expect(seen).toContain(volumeOfA);
      else expect(seen).not.toContain(volumeOfA);
    },
  },
  "volumes.create": {
    input: async (w) => ({ instanceId: await w.instanceOfA("RUNNING"), name: "data", sizeGiB: 1 }),
    targetsGroupA: true,
  },
  "volumes.attach": {
    input: async (w) => ({
      id: await makeVolumeRow(w.s, { ownerId: w.targetUserA.id, groupId: w.groupA, hostId: w.hostId }),
      instanceId: await w.instanceOfA("RUNNING"),
    }),
    targetsGroupA: true,
  },
  "volumes.detach": {
    input: async (w) => {
      const instanceId = await w.instanceOfA("RUNNING");
      return {
        id: await makeVolumeRow(w.s, {
          ownerId: w.targetUserA.id,
          groupId: w.groupA,
          hostId: w.hostId,
          state: "attached",
          instanceId,
        }),
      };
    },
    targetsGroupA: true,
  },
  "volumes.delete": {
    input: async (w) => ({
      id: await makeVolumeRow(w.s, { ownerId: w.targetUserA.id, groupId: w.groupA, hostId: w.hostId }),
    }),
    targetsGroupA: true,
  },
};
/** One volume of targetUserA's in group A, for the list's scope check. */
let volumeOfA: string | undefined;

type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN";

function expectedOutcome(p: Permission, kind: ActorKind, actor: Actor | null, f: Fixture): Outcome {
  if (!roleMeets(actor?.role ?? "anonymous", p.least)) return actor ? "FORBIDDEN" : "UNAUTHORIZED";
  if (!f.targetsGroupA || p.scope === "none" || actor?.role === "superAdm") return "ok";
  // The target belongs to group A (scope group); for scope own it is targetUserA's, whom only a
  // powerAdm of group A may act for.
  if (p.scope === "group") return outsideA(kind) ? "FORBIDDEN" : "ok";
  return kind === "powerAdm" ? "ok" : "FORBIDDEN";
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta; type: string } }>,
);

function callProcedure(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

describe("RBAC matrix over appRouter", () => {
  let w: World;

  beforeAll(async () => {
    const s = openTestServices();
    const groupA = await makeGroup(s);
    const groupB = await makeGroup(s);
    const targetUserA = await makeUser(s, "user", [groupA]);
    // A roomy host so every actor's create fits.
    const hostId = await makeHost(s, { cpuCount: 64, memoryMiB: 1024 * 1024 });
    const flavorId = await makeFlavor(s);
    const imageId = await makeImageRow(s);
    const networkId = await makeNetwork(s, { cidr: undefined });
    const powerAdm = await makeUser(s, "powerAdm", [groupA]);
    const carveAsPowerAdm = async () =>
      (await carveSubnet(contextFor(s, powerAdm), { networkId, owner: uniqueName("lab"), size: 8 })).id;
    const instanceOfA = (state: "RUNNING" | "STOPPED") =>
      makeInstanceRow(s, { ownerId: targetUserA.id, groupId: groupA, hostId, flavorId, imageId, state });
    let hostPort = 20000 + Math.floor(Math.random() * 5000);
    w = {
      s,
      groupA,
      groupB,
      targetUserA,
      hostId,
      flavorId,
      imageId,
      networkId,
      carveAsPowerAdm,
      subnetOfPowerAdm: await carveAsPowerAdm(),
      nextHostPort: () => hostPort++,
      instanceOfA,
      instanceOfAWithNic: async () => {
        const id = await instanceOfA("RUNNING");
        await makeNic(s, id, networkId);
        return id;
      },
      actors: {
        anonymous: null,
        user: await makeUser(s, "user", [groupA]),
        powerUser: await makeUser(s, "powerUser", [groupA]),
        powerAdm,
        superAdm: await makeUser(s, "superAdm", []),
        otherGroupUser: await makeUser(s, "user", [groupB]),
        otherGroupAdmin: await makeUser(s, "powerAdm", [groupB]),
      },
    };
    await w.instanceOfA("RUNNING"); // so list procedures have something to show or hide
  });

  afterAll(() => w?.s.close());

  it("finds procedures to check", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(Object.keys(FIXTURES).length);
  });

  it("every procedure has a permission entry from the table, and a fixture here", () => {
    for (const [path, proc] of procedures) {
      const meta = proc._def.meta;
      expect(meta, `${path} was not built with procedureFor()`).toBeDefined();
      expect(meta!.permission, `${path}`).toEqual(
        permissionFor(meta!.resource as Resource, meta!.action as never),
      );
      expect(FIXTURES[path], `${path} has no fixture in the RBAC matrix`).toBeDefined();
      if (meta!.permission.scope !== "none") {
        expect(
          FIXTURES[path]!.targetsGroupA || FIXTURES[path]!.checkResult,
          `${path} is scoped but the matrix does not test its scope`,
        ).toBeTruthy();
      }
    }
  });

  it("no fixture names a procedure that does not exist", () => {
    const paths = new Set(procedures.map(([p]) => p));
    for (const path of Object.keys(FIXTURES)) expect(paths.has(path), `${path}`).toBe(true);
  });

  for (const [path, proc] of procedures) {
    describe(path, () => {
      for (const kind of ACTOR_KINDS) {
        it(`as ${kind}`, async () => {
          const fixture = FIXTURES[path];
          const meta = proc._def.meta;
          if (!fixture || !meta) throw new Error(`${path}: no fixture or no permission entry`);
          const actor = w.actors[kind];
          const want = expectedOutcome(meta.permission, kind, actor, fixture);
          const input = await fixture.input(w);
          let got: Outcome | string;
          let result: unknown;
          try {
            result = await callProcedure(callerFor(w.s, actor), path, input);
            got = "ok";
          } catch (err) {
            got = err instanceof TRPCError ? err.code : String(err);
            if (got !== want) throw err;
          }
          expect(got, `${path} as ${kind}`).toBe(want);
          if (got === "ok") fixture.checkResult?.(w, kind, result);
        });
      }
    });
  }
});
