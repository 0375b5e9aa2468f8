// The portal's side of local mode (issue 14, F7) on MariaDB and Redis, through the real route handlers:
// who may ask for which profiles, which images a lab PC may download, and whose usage it may report.
// The agent's side under X and QEMU: agents/node-agent/local/local-mode.int.test.ts.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-local-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { localSessions } = await import("@/db/schema");
const { callerFor, FIXTURE_PASSWORD, makeFlavor, makeGroup, makeUser, openTestServices } =
  await import("@/server/testing/fixtures");
const { makeProfile } = await import("@/server/testing/lab-fixtures");
const { importTestGuest, makeLocalHost } = await import("@/server/testing/local-fixtures");
const { POST: profilesRoute } = await import("@/app/api/v1/agent/local/profiles/route");
const { POST: usageRoute } = await import("@/app/api/v1/agent/local/usage/route");
const { GET: imageRoute } = await import("@/app/api/v1/agent/images/[id]/content/route");

const s = openTestServices();
let pc: Awaited<ReturnType<typeof makeLocalHost>>;
let otherPc: Awaited<ReturnType<typeof makeLocalHost>>;
let publicProfile: number;
let groupProfile: number;
let otherGroupProfile: number;
let groupImage: string;
let student: Awaited<ReturnType<typeof makeUser>>;

type Body = {
  user?: { id: number; username: string; ticket: string };
  profiles: { id: number; public: boolean; imageTicket?: string; image: { id: string } }[];
};

const post = (route: (r: Request) => Promise<Response>, path: string, body: unknown, auth?: string) =>
  route(
    new Request(`http://portal${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    }),
  );
const askProfiles = (body: unknown, auth?: string) =>
  post(profilesRoute as never, "/api/v1/agent/local/profiles", body, auth);
const fetchImage = (id: string, auth: string, ticket?: string) =>
  imageRoute(
    new Request(`http://portal/api/v1/agent/images/${id}/content${ticket ? `?ticket=${ticket}` : ""}`, {
      headers: { authorization: auth },
    }),
    { params: Promise.resolve({ id }) },
  );
const usage = (records: unknown[], auth: string) =>
  post(usageRoute as never, "/api/v1/agent/local/usage", { records }, auth);
const record = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  userId: null,
  profileId: publicProfile,
  profileName: "Public desktop",
  profileVersion: 1,
  startedAt: new Date().toISOString(),
  endedAt: null,
  ...over,
});
const sessionRow = async (id: string) =>
  (await s.db.select().from(localSessions).where(eq(localSessions.id, id)))[0];

beforeAll(async () => {
  pc = await makeLocalHost(s);
  otherPc = await makeLocalHost(s);
  const flavorId = await makeFlavor(s, { vcpus: 1, memoryMiB: 128, diskGiB: 1 });
  const publicImage = await importTestGuest(s, storeDir, "public");
  groupImage = await importTestGuest(s, storeDir, "group");
  const group = await makeGroup(s);
  const otherGroup = await makeGroup(s);
  student = await makeUser(s, "user", [group]);
  publicProfile = (await makeProfile(s, { groupId: null, imageId: publicImage, flavorId })).profileId;
  groupProfile = (await makeProfile(s, { groupId: group, imageId: groupImage, flavorId })).profileId;
  otherGroupProfile = (await makeProfile(s, { groupId: otherGroup, imageId: groupImage, flavorId }))
    .profileId;
}, 120_000);

afterAll(async () => {
  await s.close();
  await rm(storeDir, { recursive: true, force: true });
});

describe("the profiles a lab PC may offer", () => {
  it("refuses a caller without a host credential, or with a wrong one", async () => {
    expect((await askProfiles({})).status).toBe(401);
    expect((await askProfiles({}, `Bearer ${pc.hostId}.wrong-secret-wrong-secret-wrong-secret`)).status).toBe(
      401,
    );
  });

  it("refuses a host that is not a lab PC (not in a local desktops cluster)", async () => {
    const server = await makeLocalHost(s, { local: false });
    const res = await askProfiles({}, server.authorization);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { serverMessage?: { code?: string } }).serverMessage?.code).toBe(
      "localDesktops.notLocalHost",
    );
    expect((await usage([record()], server.authorization)).status).toBe(403);
    // Nor does it get public profiles' images (it has no work that needs them).
    const pub = ((await (await askProfiles({}, pc.authorization)).json()) as Body).profiles.find(
      (p) => p.id === publicProfile,
    )!;
    expect((await fetchImage(pub.image.id, server.authorization)).status).toBe(404);
  });

  it("gives anonymous (no sign-in) the public profiles only", async () => {
    const res = await askProfiles({}, pc.authorization);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.user).toBeUndefined();
    const ids = body.profiles.map((p) => p.id);
    expect(ids).toContain(publicProfile);
    expect(ids).not.toContain(groupProfile);
    expect(body.profiles.every((p) => p.public && p.imageTicket === undefined)).toBe(true);
  });

  it("gives a user who signs in with their password their group's profiles too, never another group's", async () => {
    const res = await askProfiles(
      { username: student.username, password: FIXTURE_PASSWORD },
      pc.authorization,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.user?.id).toBe(student.id);
    const ids = body.profiles.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([publicProfile, groupProfile]));
    expect(ids).not.toContain(otherGroupProfile);
    expect(body.profiles.find((p) => p.id === groupProfile)?.imageTicket).toMatch(/^\d+\./);
  });

  it("refuses a wrong password, and a host that names a user without their password", async () => {
    const wrong = await askProfiles({ username: student.username, password: "not-it" }, pc.authorization);
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain(`"profiles"`);
    // The host's credential is not a user's: naming one (by id or name alone) is refused outright.
    expect((await askProfiles({ userId: student.id }, pc.authorization)).status).toBe(400);
    expect((await askProfiles({ username: student.username }, pc.authorization)).status).toBe(400);
  });
});

describe("the images a lab PC may download", () => {
  it("a public profile's image without more; a group's image only with a ticket for this very PC", async () => {
    const anonymous = (await (await askProfiles({}, pc.authorization)).json()) as Body;
    const pub = anonymous.profiles.find((p) => p.id === publicProfile)!;
    const ok = await fetchImage(pub.image.id, pc.authorization);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();

    expect((await fetchImage(groupImage, pc.authorization)).status).toBe(404);
    expect((await fetchImage(groupImage, pc.authorization, "1.forged")).status).toBe(404);
    const signedIn = (await (
      await askProfiles({ username: student.username, password: FIXTURE_PASSWORD }, pc.authorization)
    ).json()) as Body;
    const ticket = signedIn.profiles.find((p) => p.id === groupProfile)!.imageTicket!;
    const withTicket = await fetchImage(groupImage, pc.authorization, ticket);
    expect(withTicket.status).toBe(200);
    await withTicket.body?.cancel();
    // Another PC cannot use it.
    expect((await fetchImage(groupImage, otherPc.authorization, ticket)).status).toBe(404);
    // Nor anyone without a host credential.
    expect(
      (
        await imageRoute(new Request(`http://portal/x?ticket=${ticket}`), {
          params: Promise.resolve({ id: groupImage }),
        })
      ).status,
    ).toBe(401);
  });
});

describe("usage a lab PC reports", () => {
  it("refuses a caller without a host credential", async () => {
    expect(
      (await post(usageRoute as never, "/api/v1/agent/local/usage", { records: [record()] })).status,
    ).toBe(401);
  });

  it("records a run and its end, and the admin sees which PC runs which desktop", async () => {
    const run = record();
    expect((await usage([run], pc.authorization)).status).toBe(200);
    const admin = callerFor(s, await makeUser(s, "superAdm"));
    let seen = await admin.localDesktops.list();
    const mine = seen.running.find((r) => r.id === run.id);
    expect(mine?.host.id).toBe(pc.hostId);
    expect(mine?.profileId).toBe(publicProfile);
    expect(mine?.user).toBeNull();
    // Sent again (the PC did not hear the answer) and then ended: one row, ended.
    expect((await usage([run], pc.authorization)).status).toBe(200);
    const endedAt = new Date().toISOString();
    expect((await usage([{ ...run, endedAt }], pc.authorization)).status).toBe(200);
    seen = await admin.localDesktops.list({} as never);
    expect(seen.running.find((r) => r.id === run.id)).toBeUndefined();
    expect((await sessionRow(run.id))?.endedAt?.toISOString()).toBe(endedAt);
    // A student may not see it.
    await expect(callerFor(s, student).localDesktops.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("puts a run on a user's account only with that user's sign-in ticket from this PC", async () => {
    const signedIn = (await (
      await askProfiles({ username: student.username, password: FIXTURE_PASSWORD }, pc.authorization)
    ).json()) as Body;
    const ticket = signedIn.user!.ticket;
    const claimed = record({ userId: student.id });
    const ticketed = record({ userId: student.id, userTicket: ticket, profileId: groupProfile });
    const elsewhere = record({ userId: student.id, userTicket: ticket });
    await usage([claimed, ticketed], pc.authorization);
    await usage([elsewhere], otherPc.authorization);
    expect((await sessionRow(claimed.id))?.userId).toBeNull();
    expect((await sessionRow(ticketed.id))?.userId).toBe(student.id);
    expect((await sessionRow(elsewhere.id))?.userId).toBeNull();
  });

  it("never lets one PC end (or touch) another PC's run", async () => {
    const run = record();
    await usage([run], pc.authorization);
    await usage([{ ...run, endedAt: new Date().toISOString() }], otherPc.authorization);
    const row = await sessionRow(run.id);
    expect(row?.hostId).toBe(pc.hostId);
    expect(row?.endedAt).toBeNull();
  });
});
