// The RBAC matrices' shared world: the kinds of caller (anonymous, each role, group A's admin and a mere
// member, another group's people, the owner, a disabled account, a revoked session), the objects each
// procedure is pointed at (one fixture per procedure) and the outcome the permission table promises each
// kind. The tRPC matrix (server/api/rbac-matrix.int.test.ts) and the REST matrix
// (server/http/rest/rest-rbac-matrix.int.test.ts) both read it, so the two cannot expect different things.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { hostAuthHeader } from "@/agents/protocol";
import { apiTokens, hosts, instances, quotaLimits, users } from "@/db/schema";
import { roleMeets, type Permission, type Resource } from "@/common/permissions";
import type { Actor } from "@/server/domain/context";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import { actorOf } from "@/server/domain/policies/caller";
import { mintToken } from "@/server/domain/api-tokens/token-format";
import { resolveSessionCaller } from "@/server/http/caller";
import { getServices } from "@/server/services";
import { terminals } from "@/db/schema";
import { enrolTerminal } from "@/server/domain/terminals/enrol-terminal";
import {
  issueKioskLink,
  loadKioskSession,
  redeemKioskLink,
  setKioskUser,
  noteKioskActivity,
} from "@/server/domain/terminals/kiosk-sessions";
import { sessionCookieFor } from "@/server/testing/tus-client";
import {
  allowInCatalogue,
  contextFor,
  FIXTURE_PASSWORD,
  makeFlavor,
  makeGroup,
  makeCluster,
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
import { makeLab, makePool, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";
import {
  clearSignUpLimits,
  makePendingUser,
  makeResetToken,
  setSignUp,
} from "@/server/testing/account-fixtures";

// Routes read the image store from the process's settings; point them at this run's own directory.

const SECRET = getServices().settings.sessionSecret;

/**
 * powerAdm: a powerAdm who ADMINISTERS group A (its teacher: "admin of the group"). memberNotAdmin: a
 * powerAdm who is a member of group A but not its admin. otherGroupAdmin: a powerAdm who administers
 * group B ("admin of another group"). owner: targetUserA, acting on their own objects. disabled: signed
 * in, then the account was disabled. revokedSession: signed in before the session version moved on (an
 * administrator reset the password).
 */
export type ActorKind =
  | "anonymous"
  | "user"
  | "powerUser"
  | "powerAdm"
  | "memberNotAdmin"
  | "superAdm"
  | "otherGroupUser"
  | "otherGroupAdmin"
  | "owner"
  | "disabled"
  | "revokedSession";
export const ACTOR_KINDS: ActorKind[] = [
  "anonymous",
  "user",
  "powerUser",
  "powerAdm",
  "memberNotAdmin",
  "superAdm",
  "otherGroupUser",
  "otherGroupAdmin",
  "owner",
  "disabled",
  "revokedSession",
];
/** Callers whose session cookie no longer resolves to anyone. */
export const UNRESOLVED: ActorKind[] = ["anonymous", "disabled", "revokedSession"];

export interface World {
  s: TestServices;
  /** This run's image store (the process's settings point at it). */
  storeDir: string;
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
  /** A network of the matrix's (IPAM rows carve and reserve in it; a matrix may replace it). */
  networkId: string;
  /** A subnet the powerAdm of group A carved. */
  subnetOfPowerAdm: number;
  carveAsPowerAdm: () => Promise<number>;
  nextHostPort: () => number;
  /** Who each kind is as the portal resolves its session now (null: nobody). */
  actors: Record<ActorKind, Actor | null>;
  /** The accounts behind the kinds, for session cookies (anonymous has none). */
  accounts: Partial<Record<ActorKind, Actor>>;
  /** A host's credential (the matrix host's). */
  hostAuthorization: string;
  /** A public image with its file in the store (downloads, agents' fetches). */
  storedImageId: string;
  /** A profile and a lab of group A (lists show them to A's admins only). */
  profileOfA: number;
  labOfA: number;
}

export interface Fixture {
  input: (w: World) => Promise<unknown> | unknown;
  /** The call names an object in group A: callers outside group A (not superAdm) must be refused. */
  targetsGroupA?: boolean;
  /**
   * Only group A's admins (and superAdm) may, whatever the entry's scope says (e.g. a flavor of group
   * A's own: the table admits powerAdm, the domain its admins only).
   */
  adminOfA?: boolean;
  /** For lists: what a caller may see. */
  checkResult?: (w: World, kind: ActorKind, result: unknown) => void;
  /** The call names an object of group A that every member of A may use (a lab's desktops). */
  membersOfA?: boolean;
  /**
   * The call names targetUserA's own object that belongs to no group (an API token): only they and
   * superAdm may act on it, not the admins of their groups.
   */
  ownerOnly?: boolean;
}

/** A lab of group A with a profile of group A (the matrix's flavor and image) and, unless told, a running pool. */
export async function labOfA(w: World, o: { pool?: boolean } = {}) {
  const { profileId } = await makeProfile(w.s, {
    groupId: w.groupA,
    flavorId: w.flavorId,
    imageId: w.imageId,
  });
  const labId = await makeLab(w.s, { groupId: w.groupA, profileIds: [profileId] });
  const poolId = o.pool === false ? 0 : await makePool(w.s, { labId, profileId, size: 4, spare: 0 });
  return { labId, profileId, poolId };
}

/** A running desktop of the lab's pool on the matrix host, assigned to `assignedTo` (null: spare). */
async function desktopOfA(
  w: World,
  lab: { poolId: number; profileId: number },
  assignedTo: number | null,
): Promise<string> {
  const id = await w.instanceOfA("RUNNING");
  await w.s.db
    .update(instances)
    .set({
      kind: "desktop",
      poolId: lab.poolId,
      profileId: lab.profileId,
      profileVersion: 1,
      assignedTo,
      // Whoever started the pool owns it, not the student: the scope comes from the assignment.
      ownerId: w.accounts.powerAdm!.id,
    })
    .where(eq(instances.id, id));
  return id;
}

export const ids = (rows: unknown) => (rows as { id: number }[]).map((r) => r.id);
export const outsideA = (k: ActorKind) => k === "otherGroupUser" || k === "otherGroupAdmin";
/** Who reaches group A's members' objects: its admin (the "powerAdm" kind) and superAdm, not a mere member. */
export const administersA = (k: ActorKind) => k === "powerAdm" || k === "superAdm";
/** Resources whose "group" scope is membership (the groups one belongs to); every other one's is administering. */
export const MEMBERSHIP_SCOPED: Resource[] = ["groups"];

/**
 * The matrix host is up when the scheduler looks: the matrices run for longer than a heartbeat lasts
 * (rows that place a new machine call this first).
 */
async function hostUp(w: World): Promise<void> {
  await w.s.db.update(hosts).set({ lastHeartbeatAt: new Date() }).where(eq(hosts.id, w.hostId));
}

export const FIXTURES: Record<string, Fixture> = {
  "account.me": { input: () => undefined },
  "account.changePassword": {
    input: () => ({
      currentPassword: FIXTURE_PASSWORD,
      newPassword: "a-new-password-9",
      confirmPassword: "a-new-password-9",
    }),
  },
  "account.updatePreferences": { input: () => ({ theme: "dark" }) },
  "account.signOutEverywhere": { input: () => undefined },
  "account.updateProfile": { input: () => ({ displayName: "Renamed", email: "me@example.org" }) },
  "account.signUpOptions": { input: () => undefined },
  // Open to anyone once switched on: the matrix switches it on and empties the limiter for each call, so
  // it asks the role check alone (the limits have their own tests).
  "account.signUp": {
    input: async (w) => {
      await setSignUp(w.s, { enabled: true, groupId: w.groupA, needsApproval: true });
      await clearSignUpLimits(w.s, "127.0.0.1");
      const username = uniqueName("signup");
      return {
        username,
        displayName: "Signed Up",
        email: `${username}@example.org`,
        password: "sign-up-password-1",
        confirmPassword: "sign-up-password-1",
      };
    },
  },
  "account.redeemResetLink": {
    input: async (w) => {
      const token = await makeResetToken(w.s, (await makeUser(w.s, "user", [w.groupA])).id);
      return { token, password: "redeemed-password-1", confirmPassword: "redeemed-password-1" };
    },
  },
  // Tokens are created for the caller (any role may, at its own role or below); the others name one of
  // targetUserA's.
  "apiTokens.list": {
    input: async (w) => {
      tokenOfA ??= (await tokenOf(w, w.targetUserA)).id;
      return undefined;
    },
    checkResult: (_w, kind, result) => {
      if (kind === "owner") expect(ids(result)).toContain(tokenOfA);
      else expect(ids(result)).not.toContain(tokenOfA);
    },
  },
  "apiTokens.create": {
    input: () => ({ name: uniqueName("tok"), expiresInDays: 7, role: "user", readOnly: true }),
    checkResult: (_w, _kind, result) => expect((result as { token: string }).token).toMatch(/^ect_/),
  },
  "apiTokens.revoke": { input: async (w) => ({ id: (await tokenOf(w, w.targetUserA)).id }), ownerOnly: true },
  "apiTokens.listAll": {
    input: async (w) => {
      tokenOfA ??= (await tokenOf(w, w.targetUserA)).id;
      return undefined;
    },
    checkResult: (_w, _kind, result) => expect(ids(result)).toContain(tokenOfA),
  },
  "apiTokens.revokeAny": { input: async (w) => ({ id: (await tokenOf(w, w.targetUserA)).id }) },
  "portalSettings.read": { input: () => undefined },
  "portalSettings.update": {
    input: () => ({ signUpEnabled: false, signUpGroupId: null, signUpNeedsApproval: true, smtp: null }),
  },
  "users.list": {
    // Filtered to the one account asked about: the run's database holds many more than a page.
    input: (w) => ({ search: w.targetUserA.username }),
    checkResult: (w, kind, result) => {
      const seen = ids((result as { items: unknown }).items);
      if (outsideA(kind) || kind === "memberNotAdmin") expect(seen).not.toContain(w.targetUserA.id);
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
  "users.clearSignInLock": { input: (w) => ({ id: w.targetUserA.id }) },
  "users.resetPassword": {
    input: async (w) => ({ id: (await makeUser(w.s, "user", [w.groupA])).id, password: "reset-password-1" }),
  },
  "users.issueResetLink": {
    input: async (w) => ({ id: (await makeUser(w.s, "user", [w.groupA])).id }),
    targetsGroupA: true,
  },
  "users.approve": {
    input: async (w) => ({ id: (await makePendingUser(w.s, [w.groupA])).id }),
    targetsGroupA: true,
  },
  "users.reject": {
    input: async (w) => ({ id: (await makePendingUser(w.s, [w.groupA])).id }),
    targetsGroupA: true,
  },
  "users.importCsv": {
    input: async (w) => {
      const group = uniqueName("csv");
      await makeGroup(w.s, group);
      return { csv: `username,display name,email,group\n${uniqueName("imp")},Imported,,${group}\n` };
    },
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
  "groups.setAdmins": {
    input: async (w) => ({ id: await makeGroup(w.s), userIds: [(await makeUser(w.s, "powerAdm")).id] }),
  },
  "classes.list": {
    input: () => undefined,
    checkResult: (w, kind, result) => {
      if (administersA(kind)) expect(ids(result)).toContain(w.groupA);
      else expect(ids(result)).not.toContain(w.groupA);
    },
  },
  "classes.get": { input: (w) => ({ id: w.groupA }), targetsGroupA: true },
  "classes.addMembers": {
    input: async (w) => ({ id: w.groupA, usernames: [(await makeUser(w.s, "user")).username] }),
    targetsGroupA: true,
  },
  "classes.removeMembers": {
    input: async (w) => ({ id: w.groupA, userIds: [(await makeUser(w.s, "user", [w.groupA])).id] }),
    targetsGroupA: true,
  },
  "classes.setCatalogue": {
    input: (w) => ({ id: w.groupA, imageIds: [w.imageId], flavorIds: [w.flavorId] }),
    targetsGroupA: true,
  },
  "classes.deploy": {
    input: async (w) => {
      await hostUp(w);
      return {
        id: w.groupA,
        imageId: w.imageId,
        flavorId: w.flavorId,
        namePrefix: "lab",
        userIds: [w.targetUserA.id],
      };
    },
    targetsGroupA: true,
  },
  "classes.undeploy": {
    input: async (w) => {
      const batchId = randomUUID();
      const vm = await w.instanceOfA("RUNNING");
      await w.s.db.update(instances).set({ batchId }).where(eq(instances.id, vm));
      return { id: w.groupA, batchId };
    },
    targetsGroupA: true,
  },
  // ---- pools and desktops (a lab of group A each time, so every caller's call has its own objects) ----
  "pools.list": { input: async (w) => ({ labId: (await labOfA(w)).labId }), targetsGroupA: true },
  "pools.create": {
    input: async (w) => {
      const lab = await labOfA(w, { pool: false });
      return { labId: lab.labId, profileId: lab.profileId, size: 2, spare: 1 };
    },
    targetsGroupA: true,
  },
  "pools.update": { input: async (w) => ({ id: (await labOfA(w)).poolId, spare: 2 }), targetsGroupA: true },
  "pools.start": { input: async (w) => ({ id: (await labOfA(w)).poolId }), targetsGroupA: true },
  "pools.stop": { input: async (w) => ({ id: (await labOfA(w)).poolId }), targetsGroupA: true },
  "pools.delete": { input: async (w) => ({ id: (await labOfA(w)).poolId }), targetsGroupA: true },
  "desktops.mine": { input: () => undefined },
  "desktops.open": {
    input: async (w) => {
      const lab = await labOfA(w);
      await desktopOfA(w, lab, null);
      return { labId: lab.labId };
    },
    targetsGroupA: true,
    membersOfA: true,
  },
  "desktops.release": {
    input: async (w) => ({ instanceId: await desktopOfA(w, await labOfA(w), w.targetUserA.id) }),
    targetsGroupA: true,
  },
  "desktops.reset": {
    input: async (w) => ({ instanceId: await desktopOfA(w, await labOfA(w), w.targetUserA.id) }),
    targetsGroupA: true,
  },
  "desktops.messages": {
    input: async (w) => ({ instanceId: await desktopOfA(w, await labOfA(w), w.targetUserA.id) }),
    targetsGroupA: true,
  },
  "desktops.dismissMessages": {
    input: async (w) => ({ instanceId: await desktopOfA(w, await labOfA(w), w.targetUserA.id) }),
    targetsGroupA: true,
  },
  "desktops.sendMessage": {
    input: async (w) => ({
      instanceId: await desktopOfA(w, await labOfA(w), w.targetUserA.id),
      text: "Save your work",
    }),
    targetsGroupA: true,
  },
  "desktops.classroom": { input: async (w) => ({ labId: (await labOfA(w)).labId }), targetsGroupA: true },
  "hosts.list": { input: () => undefined },
  "localDesktops.list": { input: () => undefined },
  "hosts.createJoinToken": { input: () => undefined },
  "hosts.setEnabled": { input: (w) => ({ id: w.hostId, enabled: true }) },
  // A host of its own each time: the admitted caller really revokes, rotates or removes it.
  "hosts.revoke": { input: async (w) => ({ id: await makeHost(w.s) }) },
  "hosts.rotateCredentials": { input: async (w) => ({ id: await makeHost(w.s) }) },
  "hosts.remove": { input: async (w) => ({ id: await makeHost(w.s) }) },
  "hosts.setConsoleUrl": { input: (w) => ({ id: w.hostId, consoleUrl: "ws://127.0.0.1:9" }) },
  // A host and a cluster of their own: the admitted caller really moves it.
  "hosts.setCluster": {
    input: async (w) => ({ hostId: await makeHost(w.s), clusterId: await makeCluster(w.s, "servers") }),
  },
  "clusters.list": { input: () => undefined },
  "clusters.create": { input: () => ({ name: uniqueName("cl"), kind: "servers" }) },
  "clusters.rename": {
    input: async (w) => ({ id: await makeCluster(w.s, "desktops"), name: uniqueName("cl") }),
  },
  "clusters.delete": { input: async (w) => ({ id: await makeCluster(w.s, "local") }) },
  "flavors.list": { input: () => undefined },
  // Group A's own flavors: the table admits powerAdm, the domain group A's admins (public ones: superAdm).
  "flavors.create": {
    input: (w) => ({ name: uniqueName("f"), vcpus: 1, memoryMiB: 128, diskGiB: 1, groupId: w.groupA }),
    adminOfA: true,
  },
  "flavors.update": {
    input: async (w) => ({ id: await makeFlavor(w.s, { groupId: w.groupA }), diskGiB: 2 }),
    adminOfA: true,
  },
  "flavors.delete": {
    input: async (w) => ({ id: await makeFlavor(w.s, { groupId: w.groupA }) }),
    adminOfA: true,
  },
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
      return { search: "fixture", limit: 500 };
    },
    checkResult: (w, kind, result) => {
      const seen = (result as { items: { id: string }[] }).items.map((t) => t.id);
      const task = madeTaskOf(w.targetUserA.id);
      expect(task).toBeDefined();
      if (administersA(kind) || kind === "owner") expect(seen).toContain(task);
      else expect(seen).not.toContain(task);
    },
  },
  "tasks.get": {
    input: async (w) => ({ id: await taskOfUser(w.s, w.targetUserA.id) }),
    targetsGroupA: true,
  },
  "instances.list": {
    input: (w) => ({ ownerId: w.targetUserA.id }),
    checkResult: (w, kind, result) => {
      const owners = (result as { items: { owner: { id: number } }[] }).items.map((i) => i.owner.id);
      const seesA = administersA(kind) || kind === "owner";
      if (seesA) expect(owners).toContain(w.targetUserA.id);
      else expect(owners).not.toContain(w.targetUserA.id);
    },
  },
  "instances.get": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.events": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.assign": {
    input: async (w) => ({
      id: await w.instanceOfA("RUNNING"),
      ownerId: (await makeUser(w.s, "user", [w.groupA])).id,
    }),
    targetsGroupA: true,
  },
  "instances.launchOptions": {
    input: () => ({}),
    // Every caller's group (A or B) has the matrix image in its catalogue; superAdm launches anything.
    checkResult: (w, _kind, result) => {
      expect((result as { images: { id: string }[] }).images.map((i) => i.id)).toContain(w.imageId);
    },
  },
  "instances.create": {
    input: async (w) => {
      await hostUp(w);
      return { name: uniqueName("vm"), imageId: w.imageId, flavorId: w.flavorId };
    },
  },
  "instances.start": { input: async (w) => ({ id: await w.instanceOfA("STOPPED") }), targetsGroupA: true },
  "instances.stop": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.reboot": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.delete": { input: async (w) => ({ id: await w.instanceOfA("RUNNING") }), targetsGroupA: true },
  "instances.resizeOptions": {
    input: async (w) => ({ id: await w.instanceOfA("STOPPED") }),
    targetsGroupA: true,
  },
  "instances.resize": {
    input: async (w) => {
      // A larger flavor of group A's catalogue, on a host that is up now (the matrix runs for minutes).
      const flavorId = await makeFlavor(w.s, { vcpus: 2, memoryMiB: 512, diskGiB: 2 });
      await allowInCatalogue(w.s, w.groupA, { flavorIds: [flavorId] });
      await w.s.db.update(hosts).set({ lastHeartbeatAt: new Date() }).where(eq(hosts.id, w.hostId));
      return { id: await w.instanceOfA("STOPPED"), flavorId };
    },
    targetsGroupA: true,
  },
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
      if (kind === "otherGroupAdmin" || kind === "memberNotAdmin")
        expect(seen).not.toContain(w.subnetOfPowerAdm);
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
      if (administersA(kind) || kind === "owner") expect(seen).toContain(volumeOfA);
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
  "quotas.mine": { input: () => undefined },
  "quotas.group": {
    input: (w) => ({ groupId: w.groupA }),
    targetsGroupA: true,
    checkResult: (w, _kind, result) =>
      expect((result as { members: { id: number }[] }).members.map((m) => m.id)).toContain(w.targetUserA.id),
  },
  "quotas.listAll": { input: () => undefined },
  "quotas.exportAll": { input: () => undefined },
  "quotas.setRoleDefaults": { input: () => ({ role: "powerAdm", limits: { instances: 1000 } }) },
  "quotas.setGroupLimits": {
    input: async (w) => ({ groupId: await makeGroup(w.s), limits: { instances: 5 } }),
  },
  "quotas.setUserLimits": {
    input: (w) => ({ userId: w.targetUserA.id, limits: { instances: 3 } }),
    targetsGroupA: true,
  },
  // ---- profiles and labs (helper B): a fresh profile or lab of group A for each call ----
  "profiles.list": {
    input: () => undefined,
    checkResult: (w, kind, result) => {
      if (administersA(kind)) expect(ids(result)).toContain(w.profileOfA);
      else expect(ids(result)).not.toContain(w.profileOfA);
    },
  },
  "profiles.get": { input: (w) => ({ id: w.profileOfA }), targetsGroupA: true },
  "profiles.create": {
    input: (w) => ({ name: uniqueName("p"), groupId: w.groupA, imageId: w.imageId, flavorId: w.flavorId }),
    targetsGroupA: true,
  },
  "profiles.update": {
    input: async (w) => ({ id: await newProfileOfA(w), description: "changed" }),
    targetsGroupA: true,
  },
  "profiles.delete": { input: async (w) => ({ id: await newProfileOfA(w) }), targetsGroupA: true },
  "profiles.setCurrentVersion": {
    input: async (w) => ({ id: await newProfileOfA(w), version: 1 }),
    targetsGroupA: true,
  },
  "profiles.clone": {
    input: async (w) => ({ id: await newProfileOfA(w), name: uniqueName("c"), groupId: w.groupA }),
    targetsGroupA: true,
  },
  "profiles.startAdminMode": {
    input: async (w) => {
      // The admin machine counts in group A's instances, which the matrix's earlier rows have filled:
      // room for it (the limit stays, so a teacher still sets members' limits within it).
      await w.s.db
        .update(quotaLimits)
        .set({ instances: 100_000 })
        .where(and(eq(quotaLimits.subject, "group"), eq(quotaLimits.subjectId, String(w.groupA))));
      await hostUp(w);
      return { id: await newProfileOfA(w) };
    },
    targetsGroupA: true,
  },
  "profiles.publishAdminMode": {
    input: async (w) => ({ id: await profileInAdminModeOfA(w), note: "changed" }),
    targetsGroupA: true,
  },
  "profiles.discardAdminMode": {
    input: async (w) => ({ id: await profileInAdminModeOfA(w) }),
    targetsGroupA: true,
  },
  "profiles.runningDesktops": { input: async (w) => ({ id: await newProfileOfA(w) }), targetsGroupA: true },
  "labs.list": {
    input: () => undefined,
    checkResult: (w, kind, result) => {
      if (administersA(kind)) expect(ids(result)).toContain(w.labOfA);
      else expect(ids(result)).not.toContain(w.labOfA);
    },
  },
  "labs.get": { input: (w) => ({ id: w.labOfA }), targetsGroupA: true },
  "labs.create": {
    input: (w) => ({ name: uniqueName("l"), groupId: w.groupA, seats: 10 }),
    targetsGroupA: true,
  },
  "labs.update": {
    input: async (w) => ({ id: await makeLab(w.s, { groupId: w.groupA }), seats: 20 }),
    targetsGroupA: true,
  },
  "labs.delete": {
    input: async (w) => ({ id: await makeLab(w.s, { groupId: w.groupA }) }),
    targetsGroupA: true,
  },
  "labs.setLessons": {
    input: async (w) => ({
      id: await makeLab(w.s, { groupId: w.groupA }),
      lessons: [{ weekday: 1, start: "08:00", end: "09:30", warmMinutes: 10 }],
    }),
    targetsGroupA: true,
  },
  // Approving trusts a new device for the whole install: superAdm (the table's least), whatever the lab.
  "terminals.approve": {
    input: async (w) => ({ id: (await terminalOf(w, "pending")).id, labId: w.labOfA, seatInstanceId: null }),
  },
  "terminals.list": {
    input: async (w) => {
      listedTerminal ??= (await terminalOf(w, "approved")).id;
      return undefined;
    },
    checkResult: (_w, kind, result) => {
      const seen = (result as { id: string }[]).map((t) => t.id);
      if (administersA(kind)) expect(seen).toContain(listedTerminal);
      else expect(seen).not.toContain(listedTerminal);
    },
  },
  "terminals.update": {
    input: async (w) => ({ id: (await terminalOf(w, "approved")).id, name: uniqueName("seat") }),
    targetsGroupA: true,
  },
  "terminals.seatChoices": { input: (w) => ({ labId: w.labOfA }), targetsGroupA: true },
  "terminals.revoke": {
    input: async (w) => ({ id: (await terminalOf(w, "approved")).id }),
    targetsGroupA: true,
  },
  "terminals.delete": { input: async (w) => ({ id: (await terminalOf(w, "approved")).id }) },
};

let listedTerminal: string | undefined;
/** One API token of targetUserA's, for the lists' scope checks. */
let tokenOfA: number | undefined;

/**
 * A token of the user's, as a row (the matrix asks who may revoke it, so each row gets its own: more
 * than the 20 live tokens a user may create, which the tokens' own tests check).
 */
async function tokenOf(w: World, user: Actor): Promise<{ id: number }> {
  const minted = mintToken();
  const [res] = await w.s.db.insert(apiTokens).values({
    userId: user.id,
    name: uniqueName("tok"),
    publicId: minted.publicId,
    secretHash: minted.secretHash,
    role: "user",
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return { id: res.insertId };
}

export async function clearEnrolLimits(w: World): Promise<Record<string, never>> {
  const keys = await w.s.redis.keys(`${getServices().settings.redisPrefix}:terminal-enrol:*`);
  if (keys.length) await w.s.redis.del(...keys);
  return {};
}

/** A terminal enrolled as a PC would (its secret known), approved for group A's lab unless pending. */
export async function terminalOf(w: World, state: "pending" | "approved") {
  const { settings } = getServices();
  // The matrix enrols far more than a lab would from one address: it asks who may, not how many (the
  // limits have their own tests), so it empties the limiter first.
  await clearEnrolLimits(w);
  const t = await enrolTerminal(
    { db: w.s.db, redis: w.s.redis, redisPrefix: settings.redisPrefix, terminalKey: settings.terminalKey },
    { mac: "02:00:00:00:0a:0a" },
    null,
  );
  if (state === "approved")
    await w.s.db
      .update(terminals)
      .set({ state: "approved", labId: w.labOfA })
      .where(eq(terminals.id, t.terminalId));
  return { id: t.terminalId, secret: t.secret };
}

/** A kiosk session of an approved terminal of group A's lab, with group A's student signed in. */
export async function kioskCookieOf(w: World): Promise<string> {
  const { settings } = getServices();
  const store = { redis: w.s.redis, prefix: settings.redisPrefix };
  const t = await terminalOf(w, "approved");
  const cookie = (await redeemKioskLink(store, await issueKioskLink(store, t.id)))!.cookie;
  const [account] = await w.s.db
    .select({ sv: users.sessionVersion })
    .from(users)
    .where(eq(users.id, w.targetUserA.id));
  await setKioskUser(store, (await loadKioskSession(store, cookie))!, {
    id: w.targetUserA.id,
    sessionVersion: account!.sv,
  });
  // As a sign-in does: the student is not idle there (kiosk-idle.ts).
  await noteKioskActivity(store, t.id);
  await w.s.db.update(terminals).set({ signedInUserId: w.targetUserA.id }).where(eq(terminals.id, t.id));
  return `educloud-kiosk=${cookie}`;
}

export const newProfileOfA = async (w: World) =>
  (await makeProfile(w.s, { groupId: w.groupA, imageId: w.imageId, flavorId: w.flavorId })).profileId;
/** A profile of group A in admin mode: its admin machine (targetUserA's) runs on the matrix host. */
export async function profileInAdminModeOfA(w: World): Promise<number> {
  const profileId = await newProfileOfA(w);
  await makeProfileMachine(w.s, {
    profileId,
    kind: "admin",
    ownerId: w.targetUserA.id,
    groupId: w.groupA,
    hostId: w.hostId,
    flavorId: w.flavorId,
    imageId: w.imageId,
  });
  return profileId;
}
/** One volume of targetUserA's in group A, for the list's scope check. */
let volumeOfA: string | undefined;

export type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN";

export function expectedOutcome(
  p: Permission,
  kind: ActorKind,
  actor: Actor | null,
  f: { targetsGroupA?: boolean; adminOfA?: boolean; membersOfA?: boolean; ownerOnly?: boolean },
  resource?: Resource,
): Outcome {
  if (p.least === "anonymous") return "ok";
  if (!roleMeets(actor?.role ?? "anonymous", p.least)) return actor ? "FORBIDDEN" : "UNAUTHORIZED";
  if (actor?.role === "superAdm") return "ok";
  if (f.membersOfA) return outsideA(kind) ? "FORBIDDEN" : "ok";
  if (f.ownerOnly) return kind === "owner" ? "ok" : "FORBIDDEN";
  if (f.adminOfA) return administersA(kind) ? "ok" : "FORBIDDEN";
  if (!f.targetsGroupA || p.scope === "none") return "ok";
  // The target belongs to group A (scope group: a member of A for groups, an admin of A for the rest);
  // for scope own it is targetUserA's, whom only they and an admin of group A may act for.
  if (p.scope === "group") {
    if (outsideA(kind)) return "FORBIDDEN";
    if (resource && MEMBERSHIP_SCOPED.includes(resource)) return "ok";
    return kind === "memberNotAdmin" ? "FORBIDDEN" : "ok";
  }
  return kind === "powerAdm" || kind === "owner" ? "ok" : "FORBIDDEN";
}

/**
 * Builds the matrix's world: the groups, the callers (their sessions cut where the kind says so), a host,
 * a flavor, an image in the store and the objects lists show or hide. `staleCookies`: the cookies the
 * disabled and revoked callers still present.
 */
export async function openRbacWorld(
  storeDir: string,
): Promise<{ w: World; staleCookies: Partial<Record<ActorKind, string>> }> {
  const s = openTestServices();
  const groupA = await makeGroup(s);
  const groupB = await makeGroup(s);
  const targetUserA = await makeUser(s, "user", [groupA]);
  // A roomy host so every caller's machines fit: each row makes one per caller kind (17 over REST).
  const hostId = await makeHost(s, { cpuCount: 256, memoryMiB: 4 * 1024 * 1024 });
  const flavorId = await makeFlavor(s);
  const imageId = await makeImageRow(s);
  // Both groups may launch them: the matrix asks the role and scope, not the catalogue.
  for (const g of [groupA, groupB])
    await allowInCatalogue(s, g, { imageIds: [imageId], flavorIds: [flavorId] });
  // Group A has an instances limit, so its teacher may set a member's (within it).
  await s.db.insert(quotaLimits).values({ subject: "group", subjectId: String(groupA), instances: 100 });
  const networkId = await makeNetwork(s, { cidr: undefined });
  const powerAdm = await makeUser(s, "powerAdm", [groupA]);
  const disabled = await makeUser(s, "powerAdm", [groupA]);
  const revoked = await makeUser(s, "powerAdm", [groupA]);
  const carveAsPowerAdm = async () =>
    (await carveSubnet(contextFor(s, powerAdm), { networkId, owner: uniqueName("lab"), size: 8 })).id;
  const instanceOfA = (state: "RUNNING" | "STOPPED") =>
    makeInstanceRow(s, { ownerId: targetUserA.id, groupId: groupA, hostId, flavorId, imageId, state });
  let hostPort = 20000 + Math.floor(Math.random() * 5000);
  const w: World = {
    s,
    storeDir,
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
    actors: {} as World["actors"],
    accounts: {
      user: await makeUser(s, "user", [groupA]),
      powerUser: await makeUser(s, "powerUser", [groupA]),
      powerAdm,
      memberNotAdmin: await makeUser(s, "powerAdm", [groupA], { adminOf: [] }),
      superAdm: await makeUser(s, "superAdm", []),
      otherGroupUser: await makeUser(s, "user", [groupB]),
      otherGroupAdmin: await makeUser(s, "powerAdm", [groupB]),
      owner: targetUserA,
      disabled,
      revokedSession: revoked,
    },
    hostAuthorization: "",
    storedImageId: "",
    profileOfA: (await makeProfile(s, { groupId: groupA, imageId, flavorId })).profileId,
    labOfA: await makeLab(s, { groupId: groupA }),
  };
  // Later carves take the world's network as it is then: a matrix may hand each IPAM row a fresh one.
  w.carveAsPowerAdm = async () =>
    (
      await carveSubnet(contextFor(s, powerAdm), {
        networkId: w.networkId,
        owner: uniqueName("lab"),
        size: 8,
      })
    ).id;
  // Sessions are cut before any change: the disabled and revoked callers keep a cookie that the
  // portal must no longer honour.
  const cookies = await cookiesOf(w);
  await s.db.update(users).set({ disabled: true }).where(eq(users.id, disabled.id));
  await s.db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, revoked.id));
  // Every caller as the session resolution sees it now (the same function the tRPC context uses).
  for (const kind of ACTOR_KINDS) {
    const cookie = cookies[kind];
    w.actors[kind] = cookie
      ? actorOf(
          await resolveSessionCaller(requestWith({ cookie }), {
            db: s.db,
            redis: s.redis,
            redisPrefix: s.prefix,
            secret: SECRET,
          }),
        )
      : null;
  }
  const hostSecret = randomBytes(32).toString("base64url");
  await s.db
    .update(hosts)
    .set({ secretHash: sha256Hex(hostSecret) })
    .where(eq(hosts.id, hostId));
  w.hostAuthorization = hostAuthHeader(hostId, hostSecret);
  await mkdir(incomingDir(storeDir), { recursive: true });
  const incomingPath = join(incomingDir(storeDir), "rbac");
  await writeFile(incomingPath, randomBytes(256 * 1024));
  w.storedImageId = (
    await importImage(
      { db: s.db, storeDir },
      { incomingPath, name: uniqueName("stored"), format: "raw", visibility: "public", ownerId: null },
    )
  ).id;
  await w.instanceOfA("RUNNING"); // so list procedures have something to show or hide
  // The matrix host has a reason to fetch the stored image: an instance placed on it boots from it.
  await makeInstanceRow(s, {
    ownerId: targetUserA.id,
    groupId: groupA,
    hostId,
    flavorId,
    imageId: w.storedImageId,
    state: "RUNNING",
  });
  return { w, staleCookies: cookies };
}

export const requestWith = (
  headers: Record<string, string>,
  url = "http://portal/",
  init: RequestInit = {},
) => new Request(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

/** A session cookie per kind that has an account, issued now (before any account is changed). */
export async function cookiesOf(world: World): Promise<Partial<Record<ActorKind, string>>> {
  const out: Partial<Record<ActorKind, string>> = {};
  for (const [kind, account] of Object.entries(world.accounts))
    out[kind as ActorKind] = await sessionCookieFor(world.s, account!.id, SECRET);
  return out;
}
