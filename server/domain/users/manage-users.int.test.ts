import { eq } from "drizzle-orm";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberships, users } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import {
  callerFor,
  makeGroup,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import type { Actor } from "../context";

let s: TestServices;
let admin: Actor;
beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
});
afterAll(() => s.close());

async function errorOf(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe("user administration", () => {
  it("creates a user with groups, stores an argon2id hash and never returns it", async () => {
    const g = await makeGroup(s);
    const created = await callerFor(s, admin).users.create({
      username: uniqueName("Student"),
      displayName: "Student One",
      password: "correct-horse-1",
      role: "user",
      groupIds: [g],
    });
    expect(created.groupIds).toEqual([g]);
    expect(created.username).toBe(created.username.toLowerCase());
    expect(JSON.stringify(created)).not.toMatch(/argon2|password/i);
    const row = await s.db.query.users.findFirst({ where: eq(users.id, created.id) });
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.passwordHash, "correct-horse-1")).toBe(true);
  });

  it("refuses a taken username with a field error and leaves one account", async () => {
    const name = uniqueName("dup");
    const c = callerFor(s, admin);
    await c.users.create({ username: name, displayName: "A", password: "long-password-1", role: "user" });
    const err = await errorOf(
      c.users.create({ username: name, displayName: "B", password: "long-password-1", role: "user" }),
    );
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain(name);
    expect(await s.db.select().from(users).where(eq(users.username, name))).toHaveLength(1);
  });

  it("rolls back the whole creation when a group does not exist", async () => {
    const name = uniqueName("rollback");
    const err = await errorOf(
      callerFor(s, admin).users.create({
        username: name,
        displayName: "R",
        password: "long-password-1",
        role: "user",
        groupIds: [99_999_999],
      }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(await s.db.select().from(users).where(eq(users.username, name))).toHaveLength(0);
  });

  it("validates fields and names each bad one", async () => {
    const err = await errorOf(
      callerFor(s, admin).users.create({
        username: "x",
        displayName: "",
        password: "short",
        role: "user",
      } as never),
    );
    expect(err.code).toBe("BAD_REQUEST");
    const shape = err.cause as unknown as { issues: { path: string[] }[] };
    expect(shape.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["username", "displayName", "password"]),
    );
  });

  it("ten concurrent creates of one username: exactly one succeeds, the rest CONFLICT", async () => {
    const name = uniqueName("race");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        callerFor(s, admin).users.create({
          username: name,
          displayName: "R",
          password: "long-password-1",
          role: "user",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as TRPCError).code).toBe("CONFLICT");
  });

  it("will not disable or demote the last enabled superAdm, nor let an admin disable themselves", async () => {
    // Make this admin the only enabled superAdm in the run's database.
    await s.db.update(users).set({ disabled: true }).where(eq(users.role, "superAdm"));
    await s.db.update(users).set({ disabled: false }).where(eq(users.id, admin.id));
    const c = callerFor(s, admin);
    expect((await errorOf(c.users.setDisabled({ id: admin.id, disabled: true }))).code).toBe("CONFLICT");
    const other = await makeUser(s, "superAdm");
    const viaOther = callerFor(s, other);
    // other is enabled too now, so demoting admin is fine; then other is the last one.
    await viaOther.users.update({ id: admin.id, role: "powerAdm" });
    const err = await errorOf(
      callerFor(s, { ...admin, role: "superAdm" }).users.update({ id: other.id, role: "user" }),
    );
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/last enabled superAdm/);
    await s.db.update(users).set({ role: "superAdm" }).where(eq(users.id, admin.id));
  });

  it("disabling or resetting a password ends existing sessions (session version moves on)", async () => {
    const u = await makeUser(s, "user");
    const before = (await s.db.query.users.findFirst({ where: eq(users.id, u.id) }))!.sessionVersion;
    await callerFor(s, admin).users.resetPassword({ id: u.id, password: "brand-new-pass-1" });
    const after = (await s.db.query.users.findFirst({ where: eq(users.id, u.id) }))!.sessionVersion;
    expect(after).toBe(before + 1);
    const { loadActor } = await import("../account/load-actor");
    expect(await loadActor(s.db, u.id, before)).toBeNull();
    expect(await loadActor(s.db, u.id, after)).toMatchObject({ id: u.id });
  });

  it("replaces group memberships on update", async () => {
    const [g1, g2] = [await makeGroup(s), await makeGroup(s)];
    const u = await makeUser(s, "user", [g1]);
    await callerFor(s, admin).users.update({ id: u.id, groupIds: [g2] });
    const rows = await s.db.select().from(memberships).where(eq(memberships.userId, u.id));
    expect(rows.map((r) => r.groupId)).toEqual([g2]);
  });

  it("keeps a teacher's admin flag on the groups they stay in when their groups are edited", async () => {
    const [g1, g2] = [await makeGroup(s), await makeGroup(s)];
    const teacher = await makeUser(s, "powerAdm", [g1]);
    await callerFor(s, admin).users.update({ id: teacher.id, groupIds: [g1, g2] });
    const rows = await s.db.select().from(memberships).where(eq(memberships.userId, teacher.id));
    expect(rows.map((r) => [r.groupId, r.isAdmin]).sort()).toEqual([
      [g1, true],
      [g2, false],
    ]);
  });

  it("a teacher made a student loses every admin flag, and does not get it back when promoted again", async () => {
    const [g1, g2] = [await makeGroup(s), await makeGroup(s)];
    const teacher = await makeUser(s, "powerAdm", [g1, g2]);
    const flags = async () =>
      (await s.db.select().from(memberships).where(eq(memberships.userId, teacher.id)))
        .map((r) => [r.groupId, r.isAdmin])
        .sort();
    expect(await flags()).toEqual([
      [g1, true],
      [g2, true],
    ]);
    await callerFor(s, admin).users.update({ id: teacher.id, role: "powerUser" });
    expect(await flags()).toEqual([
      [g1, false],
      [g2, false],
    ]);
    await callerFor(s, admin).users.update({ id: teacher.id, role: "powerAdm" });
    expect(await flags()).toEqual([
      [g1, false],
      [g2, false],
    ]);
  });

  it("audits every mutation with actor, target, result and address, and never the password", async () => {
    const name = uniqueName("audited");
    const created = await callerFor(s, admin, "192.0.2.7").users.create({
      username: name,
      displayName: "A",
      password: "secret-password-1",
      role: "user",
    });
    await errorOf(
      callerFor(s, admin, "192.0.2.7").users.create({
        username: name,
        displayName: "A",
        password: "secret-password-1",
        role: "user",
      }),
    );
    const rows = await s.db.select().from(auditLog).where(eq(auditLog.action, "users.create"));
    const mine = rows.filter((r) => JSON.stringify(r.detail).includes(name));
    expect(mine.map((r) => [r.actorId, r.result, r.errorCode, r.sourceIp])).toEqual([
      [admin.id, "success", null, "192.0.2.7"],
      [admin.id, "failure", "CONFLICT", "192.0.2.7"],
    ]);
    expect(mine[0]!.targetId).toBe(String(created.id));
    expect(JSON.stringify(mine)).not.toContain("secret-password-1");
  });
});
