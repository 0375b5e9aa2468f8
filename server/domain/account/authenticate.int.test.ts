import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import {
  FIXTURE_PASSWORD,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { authenticateUser, INVALID_CREDENTIALS } from "./authenticate";
import type { LoginLimits } from "./login-rate-limit";

let s: TestServices;
let limits: LoginLimits;
beforeAll(() => {
  s = openTestServices();
  limits = { prefix: s.prefix, maxPerAccount: 3, maxPerAddress: 6, windowSeconds: 60 };
});
afterAll(() => s.close());

const login = (
  username: string,
  password: string,
  ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
) => authenticateUser({ db: s.db, redis: s.redis, limits }, { username, password, ip });

async function failureOf(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe("authenticateUser", () => {
  it("signs in with the right password, case-insensitively on the username", async () => {
    const u = await makeUser(s, "user");
    const me = await login(u.username.toUpperCase(), FIXTURE_PASSWORD);
    expect(me.id).toBe(u.id);
  });

  it("answers the same generic error for a wrong password, an unknown account and a disabled one", async () => {
    const u = await makeUser(s, "user");
    const d = await makeUser(s, "user", [], { disabled: true });
    const wrong = await failureOf(login(u.username, "not-the-password"));
    const unknown = await failureOf(login(uniqueName("nobody"), "whatever-password"));
    const disabled = await failureOf(login(d.username, FIXTURE_PASSWORD));
    for (const e of [wrong, unknown, disabled]) {
      expect(e.kind).toBe("UNAUTHORIZED");
      expect(e.message).toBe(INVALID_CREDENTIALS);
    }
  });

  it("locks an account after too many failures, even for the right password, and says how long", async () => {
    const u = await makeUser(s, "user");
    for (let i = 0; i < limits.maxPerAccount; i++) await failureOf(login(u.username, "bad-password"));
    const locked = await failureOf(login(u.username, FIXTURE_PASSWORD));
    expect(locked.kind).toBe("RATE_LIMITED");
    expect(locked.message).toMatch(/Too many failed sign-in attempts\. Wait \d+ minutes/);
  });

  it("locks unknown account names the same way, so the limiter does not reveal which accounts exist", async () => {
    const ghost = uniqueName("ghost");
    for (let i = 0; i < limits.maxPerAccount; i++) await failureOf(login(ghost, "bad-password"));
    expect((await failureOf(login(ghost, "bad-password"))).kind).toBe("RATE_LIMITED");
  });

  it("limits one address guessing across many accounts", async () => {
    const ip = "10.77.0.1";
    for (let i = 0; i < limits.maxPerAddress; i++)
      await failureOf(login(uniqueName("spray"), "bad-password", ip));
    const u = await makeUser(s, "user");
    expect((await failureOf(login(u.username, FIXTURE_PASSWORD, ip))).kind).toBe("RATE_LIMITED");
    // Another address is unaffected.
    await expect(login(u.username, FIXTURE_PASSWORD, "10.77.0.2")).resolves.toMatchObject({ id: u.id });
  });

  it("a success clears the account's failure count", async () => {
    const u = await makeUser(s, "user");
    for (let i = 0; i < limits.maxPerAccount - 1; i++) await failureOf(login(u.username, "bad-password"));
    await login(u.username, FIXTURE_PASSWORD);
    for (let i = 0; i < limits.maxPerAccount - 1; i++) await failureOf(login(u.username, "bad-password"));
    await expect(login(u.username, FIXTURE_PASSWORD)).resolves.toMatchObject({ id: u.id });
  });

  it("audits successes and failures with the source address", async () => {
    const u = await makeUser(s, "user");
    await failureOf(login(u.username, "bad-password", "10.1.2.3"));
    await login(u.username, FIXTURE_PASSWORD, "10.1.2.4");
    const rows = await s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.login"), eq(auditLog.actorName, u.username)));
    expect(rows.map((r) => [r.result, r.sourceIp, r.errorCode])).toEqual([
      ["failure", "10.1.2.3", "INVALID_CREDENTIALS"],
      ["success", "10.1.2.4", null],
    ]);
  });
});
