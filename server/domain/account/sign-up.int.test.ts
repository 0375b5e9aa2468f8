import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { memberships, users } from "@/db/schema";
import { loadActor } from "@/server/domain/account/load-actor";
import { clearSignUpLimits, makePendingUser, setSignUp } from "@/server/testing/account-fixtures";
import {
  callerFor,
  makeGroup,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { authenticateUser } from "./authenticate";
import type { LoginLimits } from "./login-rate-limit";
import { SIGN_UP_LIMITS } from "./sign-up-limit";

let s: TestServices;
let limits: LoginLimits;
let group: number;
beforeAll(async () => {
  s = openTestServices();
  limits = {
    prefix: s.prefix,
    maxPerAccount: 20,
    maxPerAddress: 50,
    windowSeconds: 60,
    delayAfterFailures: 1000,
    maxDelaySeconds: 30,
    knownDeviceSeconds: 3600,
  };
  group = await makeGroup(s);
});
afterAll(() => s.close());

let ipCounter = 0;
const freshIp = () => `10.77.${Math.floor(Math.random() * 250)}.${++ipCounter % 250}`;
beforeEach(() => clearSignUpLimits(s, null));

const form = (username = uniqueName("su")) => ({
  username,
  displayName: "张 小明",
  email: `${username}@example.org`,
  password: "my-own-password-1",
  confirmPassword: "my-own-password-1",
});
const signUpAs = (input: ReturnType<typeof form>, ip = freshIp()) =>
  callerFor(s, null, ip).account.signUp(input);
const login = (username: string, password: string) =>
  authenticateUser({ db: s.db, redis: s.redis, limits }, { username, password, ip: freshIp() });

describe("self sign-up", () => {
  it("is refused while switched off (the default), and the sign-in page is told so", async () => {
    await setSignUp(s, { enabled: false, groupId: group, needsApproval: false });
    expect(await callerFor(s, null).account.signUpOptions()).toEqual({ enabled: false });
    const f = form();
    await expect(signUpAs(f)).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/switched off/),
    });
    expect(await s.db.query.users.findFirst({ where: eq(users.username, f.username) })).toBeUndefined();
  });

  it("without approval: a user of the configured group who signs in at once", async () => {
    await setSignUp(s, { enabled: true, groupId: group, needsApproval: false });
    expect(await callerFor(s, null).account.signUpOptions()).toEqual({ enabled: true });
    const f = form();
    const res = await signUpAs(f);
    expect(res.pending).toBe(false);
    const row = await s.db.query.users.findFirst({ where: eq(users.id, res.id) });
    expect(row).toMatchObject({ role: "user", displayName: "张 小明", pendingApproval: false });
    const m = await s.db.select().from(memberships).where(eq(memberships.userId, res.id));
    expect(m).toEqual([expect.objectContaining({ groupId: group, isAdmin: false })]);
    expect((await login(f.username, f.password)).id).toBe(res.id);
  });

  it("with approval: pending (told only with the right password) → the group's admin approves → signs in", async () => {
    await setSignUp(s, { enabled: true, groupId: group, needsApproval: true });
    const f = form();
    const { id, pending } = await signUpAs(f);
    expect(pending).toBe(true);
    // A wrong password gets the answer every wrong guess gets: nothing about the account's state.
    await expect(login(f.username, "not-the-password")).rejects.toMatchObject({
      code: "auth.invalidCredentials",
    });
    await expect(login(f.username, f.password)).rejects.toMatchObject({ code: "accounts.pendingApproval" });
    const row = (await s.db.query.users.findFirst({ where: eq(users.id, id) }))!;
    expect(await loadActor(s.db, id, row.sessionVersion)).toBeNull();

    const teacher = await makeUser(s, "powerAdm", [group]);
    const otherTeacher = await makeUser(s, "powerAdm", [await makeGroup(s)]);
    const memberNotAdmin = await makeUser(s, "powerAdm", [group], { adminOf: [] });
    // The group's admins see the pending account in their list.
    const seen = (await callerFor(s, teacher).users.list({ groupId: group })).items;
    expect(seen.find((u) => u.id === id)).toMatchObject({ pendingApproval: true });
    await expect(callerFor(s, otherTeacher).users.approve({ id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(callerFor(s, memberNotAdmin).users.approve({ id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await callerFor(s, teacher).users.approve({ id })).pendingApproval).toBe(false);
    expect((await login(f.username, f.password)).id).toBe(id);
    // Approving twice is refused rather than silently repeated.
    await expect(callerFor(s, teacher).users.approve({ id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("reject deletes a pending account, and never an active one", async () => {
    const teacher = await makeUser(s, "powerAdm", [group]);
    const pending = await makePendingUser(s, [group]);
    await callerFor(s, teacher).users.reject({ id: pending.id });
    expect(await s.db.query.users.findFirst({ where: eq(users.id, pending.id) })).toBeUndefined();
    const active = await makeUser(s, "user", [group]);
    await expect(callerFor(s, teacher).users.reject({ id: active.id })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await s.db.query.users.findFirst({ where: eq(users.id, active.id) })).toBeDefined();
  });

  it("a taken username is refused on its field", async () => {
    await setSignUp(s, { enabled: true, groupId: group, needsApproval: false });
    const f = form();
    await signUpAs(f);
    await expect(signUpAs(f)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it(`is rate-limited per address: ${SIGN_UP_LIMITS.perAddress} sign-ups, then refused (even valid ones)`, async () => {
    await setSignUp(s, { enabled: true, groupId: group, needsApproval: true });
    const ip = freshIp();
    await clearSignUpLimits(s, ip);
    // Concurrent: the limiter counts before any work, so a burst cannot slip past it.
    const results = await Promise.allSettled(
      Array.from({ length: SIGN_UP_LIMITS.perAddress + 4 }, () => signUpAs(form(), ip)),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const limited = results.filter(
      (r) => r.status === "rejected" && (r.reason as { code?: string }).code === "TOO_MANY_REQUESTS",
    );
    expect(ok).toHaveLength(SIGN_UP_LIMITS.perAddress);
    expect(limited).toHaveLength(4);
    // Another address still may.
    await expect(signUpAs(form())).resolves.toMatchObject({ pending: true });
  });

  it("counts IPv6 clients per /64: new addresses of one /64 do not buy new sign-ups", async () => {
    await setSignUp(s, { enabled: true, groupId: group, needsApproval: true });
    const site = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const net = `${site}:${(++ipCounter).toString(16)}`;
    await clearSignUpLimits(s, `${net}::1`);
    for (let i = 1; i <= SIGN_UP_LIMITS.perAddress; i++)
      await expect(signUpAs(form(), `${net}::${i.toString(16)}`)).resolves.toMatchObject({ pending: true });
    await expect(signUpAs(form(), `${net}:dead:beef:1:2`)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    // The next /64 is another client.
    const next = `${site}:${(++ipCounter).toString(16)}::1`;
    await clearSignUpLimits(s, next);
    await expect(signUpAs(form(), next)).resolves.toMatchObject({ pending: true });
  });
});
