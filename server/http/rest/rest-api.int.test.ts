// The REST API driven through a client generated from its own OpenAPI document (types generated at test
// time, calls through openapi-fetch, each answer checked against the document's declared statuses and
// schemas by server/testing/rest-client.ts). Real flows per area, with the agent's reports played by
// this file (no QEMU): the document and the API cannot drift apart without a test here failing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens } from "@/db/schema";
import { mintToken } from "@/server/domain/api-tokens/token-format";
import { applyAgentEvent } from "@/server/events/agent-events";
import { getServices } from "@/server/services";
import {
  allowInCatalogue,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  nextFixtureCidr,
  openTestServices,
  recordingJobs,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { checkAgainstDocument, restClient, type RestClient } from "@/server/testing/rest-client";
import { sessionCookieFor } from "@/server/testing/tus-client";

let s: TestServices;
let admin: RestClient;
let teacher: RestClient;
let student: RestClient;
/** A powerUser of the group: launches, snapshots and adds volumes. */
let owner: RestClient;
let anonymous: RestClient;
let groupId: number;
let flavorId: number;
let imageId: string;

beforeAll(async () => {
  s = openTestServices();
  const secret = getServices().settings.sessionSecret;
  const as = async (role: "superAdm" | "powerAdm" | "powerUser" | "user", groups: number[] = []) =>
    restClient({ cookie: await sessionCookieFor(s, (await makeUser(s, role, groups)).id, secret) });
  groupId = await makeGroup(s);
  await makeHost(s, { cpuCount: 64, memoryMiB: 256 * 1024 });
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
  await allowInCatalogue(s, groupId, { imageIds: [imageId], flavorIds: [flavorId] });
  admin = await as("superAdm");
  teacher = await as("powerAdm", [groupId]);
  student = await as("user", [groupId]);
  owner = await as("powerUser", [groupId]);
  anonymous = restClient();
});
afterAll(() => s?.close());

type Instance = { id: string; state: string; task: string | null; host: { id: string } | null };

/** The agent's word that an instance reached a state (what the host would report). */
async function report(inst: Instance, state: "RUNNING" | "STOPPED" | "DELETED") {
  await applyAgentEvent(
    { db: s.db, jobs: recordingJobs() },
    { type: "instance.state", hostId: inst.host!.id, at: new Date(), instanceId: inst.id, state },
  );
}

/**
 * Follows a 202's Location as a client would: reads the instance until its `task` is null. The first
 * read finds the work under way; then the agent reports `state` and the next read finds it settled.
 */
async function follow(client: RestClient, location: string, settleAs: "RUNNING" | "STOPPED" | "DELETED") {
  const id = location.split("/").pop()!;
  const first = await client.GET("/instances/{id}", { params: { path: { id } } });
  expect(first.response.status).toBe(200);
  const pending = first.data as Instance;
  expect(pending.task).not.toBeNull();
  await report(pending, settleAs);
  for (let i = 0; i < 20; i++) {
    const { data, response } = await client.GET("/instances/{id}", { params: { path: { id } } });
    // A deleted instance is gone from the API.
    if (settleAs === "DELETED" && response.status === 404) return null;
    const inst = data as Instance;
    if (inst.task === null) return inst;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${location} did not settle`);
}

describe("REST API through the generated client", () => {
  it("instances: create → 202 + Location, follow until settled; stop, start, delete as actions", async () => {
    const created = await owner.POST("/instances", {
      body: { name: uniqueName("rest-vm"), imageId, flavorId },
    });
    expect(created.response.status).toBe(202);
    const location = created.response.headers.get("location")!;
    const id = (created.data as { id: string }).id;
    expect(location).toBe(`/api/v1/instances/${id}`);
    expect(await follow(owner, location, "RUNNING")).toMatchObject({ id, state: "RUNNING", task: null });

    const listed = await owner.GET("/instances", { params: { query: {} } });
    expect(listed.response.status).toBe(200);
    expect(JSON.stringify(listed.data)).toContain(id);

    const nics = await owner.GET("/instances/{id}/nics", { params: { path: { id } } });
    expect(nics.response.status).toBe(200);

    const stop = await owner.POST("/instances/{id}/stop", { params: { path: { id } } });
    expect(stop.response.status).toBe(202);
    expect(await follow(owner, stop.response.headers.get("location")!, "STOPPED")).toMatchObject({
      state: "STOPPED",
    });
    const start = await owner.POST("/instances/{id}/start", { params: { path: { id } } });
    expect(start.response.status).toBe(202);
    await follow(owner, start.response.headers.get("location")!, "RUNNING");

    // Snapshots and volumes of the instance.
    const snap = await owner.POST("/instances/{instanceId}/snapshots", {
      params: { path: { instanceId: id } },
      body: { name: "before" },
    });
    expect(snap.response.status, JSON.stringify(snap.error)).toBeLessThan(300);
    const snaps = await owner.GET("/instances/{instanceId}/snapshots", {
      params: { path: { instanceId: id } },
    });
    expect(JSON.stringify(snaps.data)).toContain("before");
    const vol = await owner.POST("/instances/{instanceId}/volumes", {
      params: { path: { instanceId: id } },
      body: { name: "data", sizeGiB: 1 },
    });
    expect(vol.response.status, JSON.stringify(vol.error)).toBeLessThan(300);
    const vols = await owner.GET("/volumes", { params: { query: { instanceId: id } } });
    expect(JSON.stringify(vols.data)).toContain((vol.data as { id: string }).id);

    // An action the state does not allow: 409 in the Error shape.
    const again = await owner.POST("/instances/{id}/start", { params: { path: { id } } });
    expect(again.response.status).toBe(409);
    expect(again.error).toMatchObject({ error: "CONFLICT", message: expect.any(String) });

    const del = await owner.DELETE("/instances/{id}", { params: { path: { id } } });
    expect(del.response.status).toBe(202);
    await follow(owner, del.response.headers.get("location")!, "DELETED");
  });

  it("images: list and update", async () => {
    const list = await admin.GET("/images");
    expect(list.response.status).toBe(200);
    expect(JSON.stringify(list.data)).toContain(imageId);
    const name = uniqueName("renamed");
    const upd = await admin.PATCH("/images/{id}", { params: { path: { id: imageId } }, body: { name } });
    expect(upd.response.status, JSON.stringify(upd.error)).toBe(200);
    const versions = await admin.GET("/images/{id}/versions", { params: { path: { id: imageId } } });
    expect(JSON.stringify(versions.data)).toContain(name);
  });

  it("flavors: list, create 201, update, delete", async () => {
    const list = await student.GET("/flavors");
    expect(list.response.status).toBe(200);
    const name = uniqueName("rest-flavor");
    const created = await admin.POST("/flavors", { body: { name, vcpus: 1, memoryMiB: 256, diskGiB: 1 } });
    expect(created.response.status).toBe(201);
    const id = (created.data as { id: number }).id;
    expect(created.response.headers.get("location")).toBe(`/api/v1/flavors/${id}`);
    const upd = await admin.PATCH("/flavors/{id}", { params: { path: { id } }, body: { vcpus: 2 } });
    expect(upd.response.status, JSON.stringify(upd.error)).toBe(200);
    const del = await admin.DELETE("/flavors/{id}", { params: { path: { id } } });
    expect(del.response.status).toBeLessThan(300);
  });

  it("networks: create, carve and confirm a subnet, reserve and release an address", async () => {
    const net = await admin.POST("/networks", { body: { name: uniqueName("net"), cidr: nextFixtureCidr() } });
    expect(net.response.status, JSON.stringify(net.error)).toBe(201);
    const networkId = (net.data as { id: string }).id;
    const got = await admin.GET("/networks/{id}", { params: { path: { id: networkId } } });
    expect(got.response.status).toBe(200);
    const carved = await admin.POST("/networks/{networkId}/subnets", {
      params: { path: { networkId } },
      body: { owner: uniqueName("lab"), size: 8 },
    });
    expect(carved.response.status, JSON.stringify(carved.error)).toBeLessThan(300);
    const subnetId = (carved.data as { id: number }).id;
    const listed = await admin.GET("/subnets", { params: { query: { networkId } } });
    expect(JSON.stringify(listed.data)).toContain(`"id":${subnetId}`);
    const confirm = await admin.POST("/subnets/{id}/confirm", { params: { path: { id: subnetId } } });
    expect(confirm.response.status, JSON.stringify(confirm.error)).toBeLessThan(300);
    const addr = await admin.POST("/networks/{networkId}/addresses", {
      params: { path: { networkId } },
      body: { label: "router" },
    });
    expect(addr.response.status, JSON.stringify(addr.error)).toBeLessThan(300);
    const release = await admin.DELETE("/addresses/{id}", {
      params: { path: { id: (addr.data as { id: number }).id } },
    });
    expect(release.response.status).toBeLessThan(300);
    const choices = await student.GET("/networks/choices");
    expect(choices.response.status).toBe(200);
  });

  it("tasks and quotas: list tasks, read your quota, set a group's", async () => {
    expect((await admin.GET("/tasks", { params: { query: { limit: 5 } } })).response.status).toBe(200);
    const mine = await student.GET("/quotas/mine");
    expect(mine.response.status).toBe(200);
    const g = await makeGroup(s);
    const set = await admin.PUT("/groups/{groupId}/quota", {
      params: { path: { groupId: g } },
      body: { limits: { instances: 5 } },
    });
    expect(set.response.status, JSON.stringify(set.error)).toBeLessThan(300);
    const read = await admin.GET("/groups/{groupId}/quota", { params: { path: { groupId: g } } });
    expect(JSON.stringify(read.data)).toContain('"instances":5');
  });

  it("users and groups: create, import CSV, read, set members", async () => {
    const username = uniqueName("restuser");
    const created = await admin.POST("/users", {
      body: { username, displayName: "REST", password: "long-enough-pw", role: "user", groupIds: [groupId] },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const userId = (created.data as { id: number }).id;
    expect(created.response.headers.get("location")).toBe(`/api/v1/users/${userId}`);
    const read = await teacher.GET("/users/{id}", { params: { path: { id: userId } } });
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({ username });

    const groupName = uniqueName("class");
    const group = await admin.POST("/groups", { body: { name: groupName } });
    expect(group.response.status).toBe(201);
    const newGroup = (group.data as { id: number }).id;
    const imported = uniqueName("imp");
    const csv = `username,display name,email,group\n${imported},Imported,,${groupName}\n`;
    const imp = await admin.POST("/users/import", { body: { csv } });
    expect(imp.response.status, JSON.stringify(imp.error)).toBe(200);
    expect(JSON.stringify(imp.data)).toContain(imported);
    const members = await admin.PUT("/groups/{id}/members", {
      params: { path: { id: newGroup } },
      body: { userIds: [userId] },
    });
    expect(members.response.status, JSON.stringify(members.error)).toBeLessThan(300);
    const g = await admin.GET("/groups/{id}", { params: { path: { id: newGroup } } });
    expect(JSON.stringify(g.data)).toContain(username);
    expect((await teacher.GET("/groups")).response.status).toBe(200);
  });

  it("hosts and clusters: list hosts, create and rename a cluster", async () => {
    expect((await admin.GET("/hosts")).response.status).toBe(200);
    const cl = await admin.POST("/clusters", { body: { name: uniqueName("cl"), kind: "servers" } });
    expect(cl.response.status, JSON.stringify(cl.error)).toBe(201);
    const id = (cl.data as { id: number }).id;
    const renamed = await admin.PATCH("/clusters/{id}", {
      params: { path: { id } },
      body: { name: uniqueName("cl2") },
    });
    expect(renamed.response.status, JSON.stringify(renamed.error)).toBeLessThan(300);
    expect(JSON.stringify((await admin.GET("/clusters")).data)).toContain(`"id":${id}`);
  });

  it("profiles and labs: create and list as a teacher", async () => {
    const p = await teacher.POST("/profiles", {
      body: { name: uniqueName("p"), groupId, imageId, flavorId },
    });
    expect(p.response.status, JSON.stringify(p.error)).toBe(201);
    const profileId = (p.data as { id: number }).id;
    expect(JSON.stringify((await teacher.GET("/profiles")).data)).toContain(`"id":${profileId}`);
    const lab = await teacher.POST("/labs", { body: { name: uniqueName("l"), groupId, seats: 10 } });
    expect(lab.response.status, JSON.stringify(lab.error)).toBe(201);
    const labId = (lab.data as { id: number }).id;
    expect(JSON.stringify((await teacher.GET("/labs")).data)).toContain(`"id":${labId}`);
  });
});

/** A token of a new account of this role, as Settings would make it. */
async function tokenClient(role: "powerUser" | "user", o: { readOnly?: boolean; expired?: boolean } = {}) {
  const account = await makeUser(s, role, [groupId]);
  const minted = mintToken();
  await s.db.insert(apiTokens).values({
    userId: account.id,
    name: uniqueName("rest"),
    publicId: minted.publicId,
    secretHash: minted.secretHash,
    role,
    readOnly: o.readOnly ?? false,
    expiresAt: new Date(Date.now() + (o.expired ? -1 : 1) * 3600_000),
  });
  return restClient({ token: minted.token });
}

describe("API tokens through the generated client", () => {
  it("a token launches and reads like its owner; a read-only one reads and is refused writes", async () => {
    const script = await tokenClient("powerUser");
    const me = await script.GET("/account");
    expect(me.response.status).toBe(200);
    expect(me.data).toMatchObject({ role: "powerUser" });
    const created = await script.POST("/instances", {
      body: { name: uniqueName("tok-vm"), imageId, flavorId },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(202);

    const reader = await tokenClient("powerUser", { readOnly: true });
    expect((await reader.GET("/flavors")).response.status).toBe(200);
    const refused = await reader.POST("/instances", {
      body: { name: uniqueName("tok-vm"), imageId, flavorId },
    });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ error: "FORBIDDEN" });
  });

  it("an expired token is nobody (401), even for what anyone signed in may read", async () => {
    const expired = await tokenClient("user", { expired: true });
    const res = await expired.GET("/account");
    expect(res.response.status).toBe(401);
    expect(res.error).toMatchObject({ error: "UNAUTHORIZED" });
  });
});

describe("refusals come in the documented Error shape", () => {
  it("400 names the wrong fields", async () => {
    const res = await admin.POST("/flavors", {
      body: { name: "", vcpus: "many" as unknown as number, memoryMiB: 256, diskGiB: 1 },
    });
    expect(res.response.status).toBe(400);
    expect(res.error).toMatchObject({ error: "INVALID", fieldErrors: { name: expect.any(String) } });
    expect(Object.keys((res.error as { fieldErrors: object }).fieldErrors)).toContain("vcpus");
  });

  it("401 without credentials", async () => {
    const res = await anonymous.GET("/instances", { params: { query: {} } });
    expect(res.response.status).toBe(401);
    expect(res.error).toMatchObject({ error: "UNAUTHORIZED" });
  });

  it("403 when the role does not reach", async () => {
    const res = await student.GET("/hosts");
    expect(res.response.status).toBe(403);
    expect(res.error).toMatchObject({ error: "FORBIDDEN" });
  });

  it("404 for an object nobody has", async () => {
    const res = await admin.GET("/instances/{id}", {
      params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
    });
    expect(res.response.status).toBe(404);
    expect(res.error).toMatchObject({ error: "NOT_FOUND" });
  });

  it("409 for a name already taken", async () => {
    const name = uniqueName("dup");
    await admin.POST("/groups", { body: { name } });
    const res = await admin.POST("/groups", { body: { name } });
    expect(res.response.status).toBe(409);
    expect(res.error).toMatchObject({ error: "CONFLICT" });
  });

  it("the check against the document can fail: an undeclared status is refused", async () => {
    const req = new Request("http://portal/api/v1/flavors", { method: "GET" });
    await expect(checkAgainstDocument(req, new Response("[]", { status: 418 }))).rejects.toThrow(
      /does not declare this status/,
    );
    const bad = Response.json({ error: "NOPE" }, { status: 403 });
    await expect(checkAgainstDocument(req, bad)).rejects.toThrow(/does not match the document/);
  });
});
