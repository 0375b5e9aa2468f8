// Managing limits and reading use: superAdm sets role defaults and group limits; a group's admin sets
// a member's limits within the group's own; the usage views show limits, the tighter effective one
// and what is in use; the CSV has a row per user and group.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, quotaLimits } from "@/db/schema";
import {
  callerFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { and, desc } from "drizzle-orm";

let s: TestServices;
let hostId: string;
let flavorId: number;
let imageId: string;
beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
});
afterAll(() => s?.close());

const as = (actor: Parameters<typeof callerFor>[1]) => callerFor(s, actor);

describe("setting limits", () => {
  it("a group's admin sets a member's limit within the group's own and is refused above it, naming both", async () => {
    const group = await makeGroup(s, uniqueName("class"));
    const admin = await makeUser(s, "superAdm");
    const teacher = await makeUser(s, "powerAdm", [group]);
    const student = await makeUser(s, "user", [group]);
    await as(admin).quotas.setGroupLimits({ groupId: group, limits: { instances: 4, ramMiB: 8192 } });
    await as(teacher).quotas.setUserLimits({ userId: student.id, limits: { instances: 2, ramMiB: 4096 } });
    const [row] = await s.db
      .select()
      .from(quotaLimits)
      .where(and(eq(quotaLimits.subject, "user"), eq(quotaLimits.subjectId, String(student.id))));
    expect(row).toMatchObject({ instances: 2, vcpus: null, ramMiB: 4096, updatedBy: teacher.id });
    // Where the class has no limit of its own, a teacher has nothing to stay within: superAdm's.
    await expect(
      as(teacher).quotas.setUserLimits({
        userId: student.id,
        limits: { instances: 2, ramMiB: 4096, vcpus: 8 },
      }),
    ).rejects.toThrow(/Your class has no limit for vCPUs/);

    const refused = as(teacher).quotas.setUserLimits({ userId: student.id, limits: { instances: 5 } });
    await expect(refused).rejects.toThrow(
      /instances can be at most 4 here: that is what group class-\w+ itself/,
    );
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Nothing changed, and the refusal is in the audit log like every change.
    const [after] = await s.db
      .select()
      .from(quotaLimits)
      .where(and(eq(quotaLimits.subject, "user"), eq(quotaLimits.subjectId, String(student.id))));
    expect(after?.instances).toBe(2);
    const [audited] = await s.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorId, teacher.id))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(audited).toMatchObject({ action: "quotas.setUserLimits", result: "failure" });

    // superAdm is not bound by the group's limit (the group's own still holds at use).
    await as(admin).quotas.setUserLimits({ userId: student.id, limits: { instances: 10 } });
  });

  it("a teacher cannot set limits of a user outside their groups, nor of a fellow administrator", async () => {
    const group = await makeGroup(s);
    const other = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [group]);
    const colleague = await makeUser(s, "powerAdm", [group]);
    const stranger = await makeUser(s, "user", [other]);
    await expect(
      as(teacher).quotas.setUserLimits({ userId: stranger.id, limits: { instances: 1 } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      as(teacher).quotas.setUserLimits({ userId: colleague.id, limits: { instances: 1 } }),
    ).rejects.toThrow(`Only a superAdm sets the limits of ${colleague.username}`);
  });

  it("a powerAdm who is a member of the group but not its admin neither reads nor sets its members' quotas", async () => {
    const group = await makeGroup(s);
    const member = await makeUser(s, "powerAdm", [group], { adminOf: [] });
    const student = await makeUser(s, "user", [group]);
    await expect(as(member).quotas.group({ groupId: group })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      as(member).quotas.setUserLimits({ userId: student.id, limits: { instances: 1 } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("clearing every key removes the row; null means no limit", async () => {
    const admin = await makeUser(s, "superAdm");
    const group = await makeGroup(s);
    await as(admin).quotas.setGroupLimits({ groupId: group, limits: { snapshots: 3 } });
    await as(admin).quotas.setGroupLimits({ groupId: group, limits: { snapshots: null } });
    const rows = await s.db
      .select()
      .from(quotaLimits)
      .where(and(eq(quotaLimits.subject, "group"), eq(quotaLimits.subjectId, String(group))));
    expect(rows).toHaveLength(0);
  });
});

describe("usage views", () => {
  it("mine: own limits (user's over role's), use, and per group the tighter effective limit", async () => {
    const admin = await makeUser(s, "superAdm");
    const group = await makeGroup(s, uniqueName("lab"));
    const me = await makeUser(s, "powerUser", [group]);
    // Role defaults are shared by every test of the run: a value nothing else reaches.
    const before = (await as(admin).quotas.listAll()).roleDefaults.powerUser;
    await as(admin).quotas.setRoleDefaults({ role: "powerUser", limits: { ...before, snapshots: 900_000 } });
    try {
      await as(admin).quotas.setUserLimits({ userId: me.id, limits: { instances: 4, ramMiB: 4096 } });
      await as(admin).quotas.setGroupLimits({ groupId: group, limits: { instances: 3, vcpus: 10 } });
      await makeInstanceRow(s, { ownerId: me.id, groupId: group, hostId, flavorId, imageId });
      await makeInstanceRow(s, { ownerId: me.id, groupId: null, hostId, flavorId, imageId });
      const mine = await as(me).quotas.mine();
      expect(mine.user.limits).toMatchObject({ instances: 4, ramMiB: 4096, snapshots: 900_000 });
      expect(mine.user.source).toMatchObject({ instances: "user", snapshots: "role" });
      expect(mine.user.usage).toMatchObject({ instances: 2, vcpus: 2, ramMiB: 512, diskGiB: 2 });
      const g = mine.groups.find((x) => x.id === group)!;
      expect(g.usage.instances).toBe(1);
      expect(g.effective).toMatchObject({ instances: 3, vcpus: 10, ramMiB: 4096 });
    } finally {
      await as(admin).quotas.setRoleDefaults({ role: "powerUser", limits: before });
    }
  });

  it("group: its limits and use and each member's; listAll and the CSV have every user and group", async () => {
    const admin = await makeUser(s, "superAdm");
    const group = await makeGroup(s, uniqueName("class"));
    const teacher = await makeUser(s, "powerAdm", [group]);
    const a = await makeUser(s, "user", [group]);
    const b = await makeUser(s, "user", [group]);
    await as(admin).quotas.setGroupLimits({ groupId: group, limits: { instances: 30 } });
    await makeInstanceRow(s, { ownerId: a.id, groupId: group, hostId, flavorId, imageId });
    await makeInstanceRow(s, { ownerId: a.id, groupId: group, hostId, flavorId, imageId });
    await makeInstanceRow(s, { ownerId: b.id, groupId: group, hostId, flavorId, imageId });
    const view = await as(teacher).quotas.group({ groupId: group });
    expect(view.group).toMatchObject({ limits: { instances: 30 }, memberCount: 3 });
    expect(view.group.usage.instances).toBe(3);
    expect(view.members.find((m) => m.id === a.id)?.usage.instances).toBe(2);
    expect(view.members.find((m) => m.id === teacher.id)?.isAdmin).toBe(true);

    const all = await as(admin).quotas.listAll();
    expect(all.users.find((u) => u.id === b.id)?.usage.instances).toBe(1);
    expect(all.groups.find((g) => g.id === group)).toMatchObject({
      memberCount: 3,
      limits: { instances: 30 },
    });
    // The lists' grouped count agrees with the per-subject count the quota check uses.
    const { measureUsage } = await import("./measure-usage");
    for (const u of [a, b, teacher])
      expect(all.users.find((x) => x.id === u.id)?.usage).toEqual(
        await measureUsage(s.db, { ownerId: u.id }),
      );
    expect(all.groups.find((g) => g.id === group)?.usage).toEqual(
      await measureUsage(s.db, { groupId: group }),
    );
    const csv = await as(admin).quotas.exportAll();
    const lines = csv.split("\r\n");
    expect(lines[0]).toMatch(/^kind,id,name,role,instances_used,instances_limit,vcpus_used/);
    expect(lines).toContain(`group,${group},${view.group.name},,3,30,3,,768,,3,,0,,0,,0,,0,`);
  });
});
