// Calls EVERY procedure of appRouter, EVERY route of app/api (found on disk) and the console WebSocket
// as every kind of caller, and checks each answer against the permission table. All three ask the same
// authorize(). A procedure or route added without a permission entry, or without a fixture here, fails.
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { hostAuthHeader } from "@/agents/protocol";
import { apiTokens, hosts, instances, quotaLimits, users } from "@/db/schema";
import { permissionFor, roleMeets, type Permission, type Resource } from "@/common/permissions";
import { deriveConsoleSigningKey } from "@/server/console/console-key";
import { createConsoleProxy } from "@/server/console/console-proxy";
import type { Actor } from "@/server/domain/context";
import { storeConsoleTicket } from "@/server/domain/consoles/console-tickets";
import { issueJoinToken } from "@/server/domain/hosts/join-host";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import { actorOf } from "@/server/domain/policies/caller";
import { mintToken } from "@/server/domain/api-tokens/token-format";
import { resolveSessionCaller } from "@/server/http/caller";
import type { RouteContext, RouteMeta } from "@/server/http/handler";
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
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import { formatUploadMetadata } from "@/server/uploads/tus-headers";
import { uploadsDir } from "@/server/uploads/upload-files";
import { sessionCookieFor } from "@/server/testing/tus-client";
import {
  allowInCatalogue,
  callerFor,
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
  hostFacts,
  nextFixtureCidr,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { allocateInfrastructureAddress, carveSubnet } from "@/server/domain/networks/ipam";
import { addPortForward } from "@/server/domain/networks/port-forwards";
import { madeTaskOf, makeImageOf, taskOfUser } from "@/server/testing/image-fixtures";
import { makeSnapshotRow, makeVolumeRow } from "@/server/testing/storage-fixtures";
import { makeLocalHost } from "@/server/testing/local-fixtures";
import { makeLab, makePool, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";
import {
  clearSignUpLimits,
  makePendingUser,
  makeResetToken,
  setSignUp,
} from "@/server/testing/account-fixtures";
import { appRouter } from "./root";
import type { ProcedureMeta } from "./trpc";

// Routes read the image store from the process's settings; point them at this run's own directory.
const storeDir = await mkdtemp(join(tmpdir(), "educloud-rbac-"));
Object.assign(getServices().settings, { imageStoreDir: storeDir });
const SECRET = getServices().settings.sessionSecret;

/**
 * powerAdm: a powerAdm who ADMINISTERS group A (its teacher: "admin of the group"). memberNotAdmin: a
 * powerAdm who is a member of group A but not its admin. otherGroupAdmin: a powerAdm who administers
 * group B ("admin of another group"). owner: targetUserA, acting on their own objects. disabled: signed
 * in, then the account was disabled. revokedSession: signed in before the session version moved on (an
 * administrator reset the password).
 */
type ActorKind =
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
const ACTOR_KINDS: ActorKind[] = [
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
const UNRESOLVED: ActorKind[] = ["anonymous", "disabled", "revokedSession"];

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

interface Fixture {
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
async function labOfA(w: World, o: { pool?: boolean } = {}) {
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

const ids = (rows: unknown) => (rows as { id: number }[]).map((r) => r.id);
const outsideA = (k: ActorKind) => k === "otherGroupUser" || k === "otherGroupAdmin";
/** Who reaches group A's members' objects: its admin (the "powerAdm" kind) and superAdm, not a mere member. */
const administersA = (k: ActorKind) => k === "powerAdm" || k === "superAdm";
/** Resources whose "group" scope is membership (the groups one belongs to); every other one's is administering. */
const MEMBERSHIP_SCOPED: Resource[] = ["groups"];

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
    input: (w) => ({
      id: w.groupA,
      imageId: w.imageId,
      flavorId: w.flavorId,
      namePrefix: "lab",
      userIds: [w.targetUserA.id],
    }),
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
    input: (w) => ({ name: uniqueName("vm"), imageId: w.imageId, flavorId: w.flavorId }),
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

async function clearEnrolLimits(w: World): Promise<Record<string, never>> {
  const keys = await w.s.redis.keys(`${getServices().settings.redisPrefix}:terminal-enrol:*`);
  if (keys.length) await w.s.redis.del(...keys);
  return {};
}

/** A terminal enrolled as a PC would (its secret known), approved for group A's lab unless pending. */
async function terminalOf(w: World, state: "pending" | "approved") {
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
async function kioskCookieOf(w: World): Promise<string> {
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

const newProfileOfA = async (w: World) =>
  (await makeProfile(w.s, { groupId: w.groupA, imageId: w.imageId, flavorId: w.flavorId })).profileId;
/** A profile of group A in admin mode: its admin machine (targetUserA's) runs on the matrix host. */
async function profileInAdminModeOfA(w: World): Promise<number> {
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

type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN";

function expectedOutcome(
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

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta; type: string } }>,
);

function callProcedure(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

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
  // Sessions are cut before any change: the disabled and revoked callers keep a cookie that the
  // portal must no longer honour.
  const cookies = (staleCookies = await cookiesOf(w));
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
});

afterAll(async () => {
  await w?.s.close();
  await rm(storeDir, { recursive: true, force: true });
});

let staleCookies: Partial<Record<ActorKind, string>> = {};

const requestWith = (headers: Record<string, string>, url = "http://portal/", init: RequestInit = {}) =>
  new Request(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

/** A session cookie per kind that has an account, issued now (before any account is changed). */
async function cookiesOf(world: World): Promise<Partial<Record<ActorKind, string>>> {
  const out: Partial<Record<ActorKind, string>> = {};
  for (const [kind, account] of Object.entries(world.accounts))
    out[kind as ActorKind] = await sessionCookieFor(world.s, account!.id, SECRET);
  return out;
}

describe("RBAC matrix over appRouter", () => {
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
          FIXTURES[path]!.targetsGroupA || FIXTURES[path]!.checkResult || FIXTURES[path]!.ownerOnly,
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
          const want = expectedOutcome(meta.permission, kind, actor, fixture, meta.resource as Resource);
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

// ---- HTTP routes: every app/api/**/route.ts, every method it exports ------------------------------

/** Besides people and a host: an approved terminal's signed request, and its kiosk page's cookie. */
type HttpKind = ActorKind | "host" | "terminal" | "kiosk";
const HTTP_KINDS: HttpKind[] = [...ACTOR_KINDS, "host", "terminal", "kiosk"];
const OTHER_CALLERS: HttpKind[] = ["host", "terminal", "kiosk"];
const HTTP_STATUS: Record<Outcome, number | null> = { ok: null, UNAUTHORIZED: 401, FORBIDDEN: 403 };

interface RouteFixture {
  /** The request for this caller (credentials are added by the matrix). */
  request: (
    w: World,
    kind: HttpKind,
    credentials: Record<string, string>,
  ) => Promise<RouteRequest> | RouteRequest;
  /** What a caller that authorize() admits gets (the domain's own answer). */
  okStatus: number;
}
interface RouteRequest {
  params?: Record<string, string>;
  query?: string;
  init?: RequestInit;
}

const TUS = { "tus-resumable": "1.0.0" };
const uploadMeta = () =>
  formatUploadMetadata({ name: uniqueName("up"), format: "raw", visibility: "private" });

/** An upload of this caller's (created through the creation route), or an id nobody has. */
async function uploadOf(credentials: Record<string, string>): Promise<string> {
  // A person may have only MAX_OPEN_UPLOADS open, and the earlier rows of the matrix leave theirs open:
  // forget them (as the day-old sweep would), so this row is about who may, not how many.
  await rm(uploadsDir(storeDir), { recursive: true, force: true });
  const res = await routeHandler("POST /api/v1/uploads")(
    requestWith(
      { ...credentials, ...TUS, "upload-length": "1024", "upload-metadata": uploadMeta() },
      "http://portal/api/v1/uploads",
      { method: "POST" },
    ),
  );
  const location = res.headers.get("location");
  return location ? location.split("/").pop()! : "00000000-0000-4000-8000-000000000000";
}

/**
 * The local-desktop routes serve lab PCs only (hosts in a local desktops cluster): the host row of the
 * matrix presents such a PC's credential (the matrix host stays placeable for the other rows).
 */
let labPc: Promise<string> | undefined;
async function labPcCredentials(w: World, kind: HttpKind): Promise<Record<string, string>> {
  if (kind !== "host") return {};
  labPc ??= makeLocalHost(w.s).then((h) => h.authorization);
  return { authorization: await labPc };
}

const ROUTE_FIXTURES: Record<string, RouteFixture> = {
  "GET /api/v1/health": { request: () => ({}), okStatus: 200 },
  "GET /api/v1/openapi.json": { request: () => ({}), okStatus: 200 },
  "GET /api/v1/docs/[[...asset]]": { request: () => ({}), okStatus: 200 },
  "PUT /api/v1/images": {
    request: () => ({
      query: `name=${uniqueName("put")}&format=raw&visibility=private`,
      init: { method: "PUT", body: randomBytes(64 * 1024) },
    }),
    okStatus: 201,
  },
  "GET /api/v1/images/[id]/download": {
    request: (w) => ({ params: { id: w.storedImageId } }),
    okStatus: 200,
  },
  "HEAD /api/v1/images/[id]/download": {
    request: (w) => ({ params: { id: w.storedImageId }, init: { method: "HEAD" } }),
    okStatus: 200,
  },
  "OPTIONS /api/v1/uploads": { request: () => ({ init: { method: "OPTIONS" } }), okStatus: 204 },
  "POST /api/v1/uploads": {
    request: () => ({
      init: { method: "POST", headers: { ...TUS, "upload-length": "1024", "upload-metadata": uploadMeta() } },
    }),
    okStatus: 201,
  },
  "OPTIONS /api/v1/uploads/[id]": { request: () => ({ init: { method: "OPTIONS" } }), okStatus: 204 },
  "HEAD /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: { method: "HEAD", headers: TUS },
    }),
    okStatus: 200,
  },
  "PATCH /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: {
        method: "PATCH",
        headers: { ...TUS, "content-type": "application/offset+octet-stream", "upload-offset": "0" },
        body: randomBytes(512),
      },
    }),
    okStatus: 204,
  },
  "DELETE /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: { method: "DELETE", headers: TUS },
    }),
    okStatus: 204,
  },
  "POST /api/v1/agent/join": {
    request: async (w) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          token: (await issueJoinToken(w.s.db, 600)).token,
          name: uniqueName("joined"),
          facts: hostFacts(),
          consoleUrl: "ws://127.0.0.1:7901",
        }),
      },
    }),
    okStatus: 200,
  },
  "GET /api/v1/agent/console-key": { request: () => ({}), okStatus: 200 },
  // Anonymous at a lab PC: public profiles only, through the PC's host credential (never without one).
  "POST /api/v1/agent/local/profiles": {
    request: async (w, kind) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json", ...(await labPcCredentials(w, kind)) },
        body: "{}",
      },
    }),
    okStatus: 200,
  },
  "POST /api/v1/agent/local/usage": {
    request: async (w, kind) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json", ...(await labPcCredentials(w, kind)) },
        body: JSON.stringify({
          records: [
            {
              id: randomUUID(),
              userId: null,
              profileId: 1,
              profileName: "matrix",
              profileVersion: 1,
              startedAt: new Date().toISOString(),
              endedAt: null,
            },
          ],
        }),
      },
    }),
    okStatus: 200,
  },
  "GET /api/v1/agent/images/[id]/content": {
    request: (w) => ({ params: { id: w.storedImageId } }),
    okStatus: 200,
  },
  // No desktop has this id: a teacher gets past authorize() to the domain's 404 (the scope and the
  // real PNG: server/http/desktop-thumbnail.int.test.ts).
  "GET /api/v1/desktops/[id]/thumbnail": {
    request: () => ({ params: { id: "00000000-0000-4000-8000-000000000000" } }),
    okStatus: 404,
  },
  // No capture task of this host has this id: a host gets past authorize() to the domain's 404.
  // Open to anyone: the new terminal's secret, once (the limit per address is far above the matrix's calls).
  "POST /api/v1/terminals/enrol": {
    request: async (w) => ({
      ...(await clearEnrolLimits(w)),
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mac: "02:00:00:00:0b:0b" }),
      },
    }),
    okStatus: 201,
  },
  "GET /api/v1/terminals/config": { request: () => ({}), okStatus: 200 },
  // Not a seat terminal: an admitted terminal gets past authorize() to the domain's 409.
  "POST /api/v1/terminals/console-ticket": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  // The one-time link is the proof: anyone holding one is sent to the kiosk page with its cookie.
  "GET /api/v1/kiosk/start": {
    request: async (w) => ({
      query: `token=${await issueKioskLink(
        { redis: w.s.redis, prefix: getServices().settings.redisPrefix },
        (await terminalOf(w, "approved")).id,
      )}`,
    }),
    okStatus: 303,
  },
  "GET /api/v1/kiosk/state": { request: () => ({}), okStatus: 200 },
  // Someone is signed in at the matrix's kiosk already: the admitted kiosk gets the domain's 409.
  "POST /api/v1/kiosk/sign-in": {
    request: (w) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: w.targetUserA.username, password: FIXTURE_PASSWORD }),
      },
    }),
    okStatus: 409,
  },
  // Group A's lab has no pool: the admitted kiosk's student gets the domain's 409 (no desktop to give).
  "POST /api/v1/kiosk/desktop": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  "POST /api/v1/kiosk/ticket": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  "POST /api/v1/kiosk/sign-out": { request: () => ({ init: { method: "POST" } }), okStatus: 200 },
  "PUT /api/v1/agent/captures/[taskId]": {
    request: () => ({
      params: { taskId: "00000000-0000-4000-8000-000000000000" },
      init: { method: "PUT", body: randomBytes(1024) },
    }),
    okStatus: 404,
  },
};

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Handler = ((req: Request, ctx?: RouteContext) => Promise<Response>) & { meta?: RouteMeta };

/** Every route file under app/api, as "METHOD /api/…" → its handler (the URL keeps [param] names). */
async function findRoutes(): Promise<Map<string, Handler>> {
  const root = join(process.cwd(), "app", "api");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) =>
    /(^|\/)route\.ts$/.test(f),
  );
  const found = new Map<string, Handler>();
  for (const file of files) {
    const url =
      "/" +
      relative(process.cwd(), join(root, file))
        .replace(/^app\//, "")
        .replace(/\/route\.ts$/, "");
    const mod = (await import(join(root, file))) as Record<string, unknown>;
    for (const m of METHODS) if (typeof mod[m] === "function") found.set(`${m} ${url}`, mod[m] as Handler);
  }
  return found;
}
const routes = await findRoutes();
const routeHandler = (key: string): Handler => routes.get(key)!;

function credentialsOf(kind: HttpKind, fresh: Partial<Record<ActorKind, string>>): Record<string, string> {
  if (kind === "host") return { authorization: w.hostAuthorization };
  if (kind === "terminal" || kind === "kiosk") return {}; // added per request below
  // The disabled and revoked callers present the cookie they had; everyone else one issued now.
  const cookie =
    kind === "disabled" || kind === "revokedSession" ? staleCookies[kind] : fresh[kind as ActorKind];
  return cookie ? { cookie } : {};
}

function expectedRouteOutcome(meta: Extract<RouteMeta, { resource: Resource }>, kind: HttpKind): Outcome {
  const p = permissionFor(meta.resource, meta.action as never);
  if (p.least === "anonymous") return "ok";
  // What each credential resolves to: a session route sees users, a host route sees hosts.
  if (meta.credentials !== "session" && meta.credentials !== "sessionOrToken")
    return kind === meta.credentials ? "ok" : "UNAUTHORIZED";
  if (OTHER_CALLERS.includes(kind)) return "UNAUTHORIZED";
  return expectedOutcome(p, kind as ActorKind, w.actors[kind as ActorKind], {});
}

describe("RBAC matrix over the HTTP routes (app/api/**/route.ts)", () => {
  it("finds the route files", () => {
    expect(routes.size).toBeGreaterThanOrEqual(Object.keys(ROUTE_FIXTURES).length);
  });

  it("every route was built with the one wrapper (or names why not), and has a fixture here", () => {
    const exempt: string[] = [];
    for (const [key, handler] of routes) {
      expect(handler.meta, `${key} was not built with defineHandler()/describeRoute()`).toBeDefined();
      if ("exempt" in handler.meta!) {
        exempt.push(key.split(" ")[1]!);
        continue;
      }
      expect(ROUTE_FIXTURES[key], `${key} has no fixture in the RBAC matrix`).toBeDefined();
      expect(permissionFor(handler.meta!.resource, handler.meta!.action as never), key).toBeDefined();
    }
    // Only tRPC (its own matrix above), REST (each path calls a procedure; the REST matrix) and next-auth
    // (signing in) stand outside it.
    expect([...new Set(exempt)].sort()).toEqual([
      "/api/auth/[...nextauth]",
      "/api/trpc/[trpc]",
      "/api/v1/[...path]",
      "/api/v1/images",
    ]);
  });

  it("no fixture names a route that does not exist", () => {
    for (const key of Object.keys(ROUTE_FIXTURES)) expect(routes.has(key), key).toBe(true);
  });

  for (const [key, handler] of routes) {
    const meta = handler.meta;
    if (!meta || "exempt" in meta) continue;
    describe(key, () => {
      for (const kind of HTTP_KINDS) {
        it(`as ${kind}`, async () => {
          const fixture = ROUTE_FIXTURES[key];
          if (!fixture) throw new Error(`${key}: no fixture`);
          const fresh: Partial<Record<ActorKind, string>> = {};
          const person = OTHER_CALLERS.includes(kind) ? null : (kind as ActorKind);
          if (person && w.accounts[person] && !UNRESOLVED.includes(person))
            fresh[person] = await sessionCookieFor(w.s, w.accounts[person]!.id, SECRET);
          const credentials = credentialsOf(kind, fresh);
          const { params = {}, query, init = {} } = await fixture.request(w, kind, credentials);
          let path = key.split(" ")[1]!;
          for (const [name, value] of Object.entries(params)) path = path.replace(`[${name}]`, value);
          // A terminal signs this very request (method, path and query); a kiosk presents its cookie.
          if (kind === "terminal")
            Object.assign(
              credentials,
              signTerminalRequest(
                await terminalOf(w, "approved"),
                key.split(" ")[0]!,
                `${path}${query ? `?${query}` : ""}`,
              ),
            );
          if (kind === "kiosk") credentials.cookie = await kioskCookieOf(w);
          const req = requestWith(credentials, `http://portal${path}${query ? `?${query}` : ""}`, {
            method: key.split(" ")[0],
            ...init,
            ...(init.body ? { duplex: "half" } : {}),
          } as RequestInit);
          const res = await handler(req, { params: Promise.resolve(params) });
          await res.body?.cancel();
          const want = expectedRouteOutcome(meta, kind);
          expect(res.status, `${key} as ${kind}`).toBe(HTTP_STATUS[want] ?? fixture.okStatus);
        });
      }
    });
  }
});

// ---- the console WebSocket: a ticket per caller, checked again by authorize() when it connects ---------

describe("RBAC matrix over the console WebSocket", () => {
  let portal: Server;
  let portalUrl: string;
  let vm: string;

  beforeAll(async () => {
    // A console bridge address nobody listens on: an admitted caller gets as far as the host (502).
    await w.s.db
      .update(hosts)
      // Up for as long as this file runs (the matrix above takes longer than a heartbeat interval).
      .set({
        consoleUrl: "ws://127.0.0.1:9",
        lastHeartbeatAt: new Date(Date.now() + 3600_000),
      })
      .where(eq(hosts.id, w.hostId));
    vm = await w.instanceOfA("RUNNING");
    const proxy = createConsoleProxy({
      db: w.s.db,
      redis: w.s.redis,
      redisPrefix: w.s.prefix,
      hostDownAfterSeconds: 30,
      signingKey: deriveConsoleSigningKey(SECRET),
      ticketKey: getServices().settings.consoleTicketKey,
      allowedOrigins: [],
      idleTimeoutMs: 60_000,
      maxPerUser: 50,
      maxPerProcess: 500,
      log: pino({ level: "silent" }),
    });
    portal = createServer();
    portal.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
    portalUrl = `ws://127.0.0.1:${(portal.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => (portal ? portal.close(() => r()) : r())));

  function connect(ticket: string): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(
        `${portalUrl}/console/vnc/${vm}?ticket=${encodeURIComponent(ticket)}`,
        ["binary"],
        {
          origin: portalUrl.replace("ws", "http"),
        },
      );
      ws.once("open", () => {
        ws.close();
        resolve(101);
      });
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? -1);
      });
      ws.once("error", () => resolve(-1));
    });
  }

  for (const kind of HTTP_KINDS) {
    it(`as ${kind}`, async () => {
      if (kind === "terminal" || kind === "kiosk") {
        // A terminal's ticket (no student, or its kiosk's student) is good only for its lab's desktops:
        // the matrix's VM is none, so even a ticket the portal sealed for it is refused.
        const t = await terminalOf(w, "approved");
        const sealed = await storeConsoleTicket(
          { redis: w.s.redis, prefix: w.s.prefix, key: getServices().settings.consoleTicketKey },
          {
            userId: kind === "kiosk" ? w.targetUserA.id : null,
            instanceId: vm,
            kind: "vnc",
            terminalId: t.id,
          },
        );
        expect(await connect(sealed), `console as ${kind}`).toBe(403);
        return;
      }
      const account = kind === "host" || kind === "anonymous" ? undefined : w.accounts[kind];
      // A ticket bound to this caller's account, as if it had been issued: the WebSocket must decide
      // again from the account as it is now. Hosts and anonymous callers hold no ticket of anyone's.
      const ticket = account
        ? await storeConsoleTicket(
            { redis: w.s.redis, prefix: w.s.prefix, key: getServices().settings.consoleTicketKey },
            { userId: account.id, instanceId: vm, kind: "vnc" },
          )
        : randomBytes(32).toString("base64url");
      let want: number;
      if (!account) want = 401;
      // A ticket is bound to its user, not to a session: a disabled account is refused (403), a reset
      // password alone does not take back a ticket issued in the 30 s before it.
      else if (kind === "disabled") want = 403;
      else {
        // The revoked caller's account is a powerAdm of group A, unchanged but for its sessions.
        const [asKind, actor] =
          kind === "revokedSession"
            ? (["powerAdm", account] as const)
            : ([kind as ActorKind, w.actors[kind as ActorKind]!] as const);
        const outcome = expectedOutcome(permissionFor("consoles", "open"), asKind, actor, {
          targetsGroupA: true,
        });
        want = outcome === "ok" ? 502 : HTTP_STATUS[outcome]!;
      }
      expect(await connect(ticket), `console as ${kind}`).toBe(want);
    });
  }
});
