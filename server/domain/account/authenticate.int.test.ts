import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import { DomainError } from "@/server/domain/errors";
import {
  callerFor,
  FIXTURE_PASSWORD,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { authenticateUser, INVALID_CREDENTIALS, type PasswordChecks } from "./authenticate";
import type { LoginLimits } from "./login-rate-limit";

let s: TestServices;
let limits: LoginLimits;
beforeAll(() => {
  s = openTestServices();
  limits = {
    prefix: s.prefix,
    maxPerAccount: 3,
    maxPerAddress: 6,
    windowSeconds: 60,
    // The progressive delay has its own test; here it would only slow the others down.
    delayAfterFailures: 1000,
    maxDelaySeconds: 30,
    knownDeviceSeconds: 3600,
  };
});
afterAll(() => s.close());

const randomIp = () => `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const randomDevice = () => randomBytes(24).toString("base64url");

const login = (
  username: string,
  password: string,
  ip = randomIp(),
  opts: { device?: string; limits?: LoginLimits; passwords?: PasswordChecks } = {},
) =>
  authenticateUser(
    { db: s.db, redis: s.redis, limits: opts.limits ?? limits, passwords: opts.passwords },
    { username, password, ip, device: opts.device ?? null },
  );

/** The real argon2 checks, counted: how many passwords were actually verified. */
function countedChecks(): PasswordChecks & { verified: number; burned: number } {
  const c = {
    verified: 0,
    burned: 0,
    async verify(hash: string, password: string) {
      c.verified++;
      return verifyPassword(hash, password);
    },
    async burn() {
      c.burned++;
    },
  };
  return c;
}

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

  it("40 concurrent wrong passwords get exactly the account's limit of checks; the real user's own browser still signs in", async () => {
    const victim = await makeUser(s, "superAdm");
    // The real user signed in from this browser before the attack: it is known for the account.
    const laptop = randomDevice();
    await login(victim.username, FIXTURE_PASSWORD, "10.60.0.1", { device: laptop });

    const checks = countedChecks();
    const attempts = Array.from({ length: 40 }, (_, i) =>
      login(victim.username, `guess-${i}`, `10.61.${i}.7`, {
        passwords: checks,
        device: randomDevice(),
      }).then(
        () => "signed-in",
        (e: DomainError) => e.kind,
      ),
    );
    const kinds = await Promise.all(attempts);
    expect(checks.verified).toBe(limits.maxPerAccount);
    expect(kinds.filter((k) => k === "UNAUTHORIZED")).toHaveLength(limits.maxPerAccount);
    expect(kinds.filter((k) => k === "RATE_LIMITED")).toHaveLength(40 - limits.maxPerAccount);

    // Any other browser is held by the lock, even with the right password...
    const elsewhere = await failureOf(login(victim.username, FIXTURE_PASSWORD, "10.60.0.2"));
    expect(elsewhere.kind).toBe("RATE_LIMITED");
    // ...but the real user's own browser, from another address, is not.
    await expect(
      login(victim.username, FIXTURE_PASSWORD, "10.60.0.3", { device: laptop }),
    ).resolves.toMatchObject({ id: victim.id });
    // And that correct sign-in lifted the lock for everyone.
    await expect(login(victim.username, FIXTURE_PASSWORD, "10.60.0.2")).resolves.toMatchObject({
      id: victim.id,
    });
  });

  it("40 concurrent wrong passwords from one address at many accounts get exactly the address's limit of checks", async () => {
    const targets = await Promise.all(Array.from({ length: 8 }, () => makeUser(s, "user")));
    const checks = countedChecks();
    const kinds = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(targets[i % targets.length]!.username, "spray-guess", "10.62.0.1", { passwords: checks }).then(
          () => "signed-in",
          (e: DomainError) => e.kind,
        ),
      ),
    );
    expect(checks.verified).toBe(limits.maxPerAddress);
    expect(kinds.filter((k) => k === "RATE_LIMITED")).toHaveLength(40 - limits.maxPerAddress);
  });

  it("successful sign-ins do not use up their address's allowance (a school behind one address)", async () => {
    const ip = "10.65.0.1";
    for (let i = 0; i < limits.maxPerAddress + 2; i++) {
      const u = await makeUser(s, "user");
      await login(u.username, FIXTURE_PASSWORD, ip);
    }
    for (let i = 0; i < limits.maxPerAddress; i++)
      expect((await failureOf(login(uniqueName("typo"), "bad-password", ip))).kind).toBe("UNAUTHORIZED");
    expect((await failureOf(login(uniqueName("typo"), "bad-password", ip))).kind).toBe("RATE_LIMITED");
  });

  it("a browser known for the account has its own limit: a stolen device token buys few guesses", async () => {
    const u = await makeUser(s, "user");
    const laptop = randomDevice();
    await login(u.username, FIXTURE_PASSWORD, randomIp(), { device: laptop });
    const checks = countedChecks();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        login(u.username, "bad-password", randomIp(), { device: laptop, passwords: checks }).catch(
          () => null,
        ),
      ),
    );
    expect(checks.verified).toBe(limits.maxPerAccount);
    expect((await failureOf(login(u.username, FIXTURE_PASSWORD, randomIp(), { device: laptop }))).kind).toBe(
      "RATE_LIMITED",
    );
  });

  it("a browser known for the account is not held by its address's limit (a school behind one address)", async () => {
    const u = await makeUser(s, "user");
    const laptop = randomDevice();
    await login(u.username, FIXTURE_PASSWORD, "10.63.0.1", { device: laptop });
    for (let i = 0; i < limits.maxPerAddress; i++)
      await failureOf(login(uniqueName("spray"), "bad-password", "10.63.0.1"));
    expect((await failureOf(login(u.username, FIXTURE_PASSWORD, "10.63.0.1"))).kind).toBe("RATE_LIMITED");
    await expect(login(u.username, FIXTURE_PASSWORD, "10.63.0.1", { device: laptop })).resolves.toMatchObject(
      {
        id: u.id,
      },
    );
  });

  it("each failure past the free ones makes the address wait longer before its next attempt", async () => {
    const slow: LoginLimits = { ...limits, maxPerAccount: 50, maxPerAddress: 50, delayAfterFailures: 2 };
    const u = await makeUser(s, "user");
    const ip = "10.64.0.1";
    await failureOf(login(u.username, "bad-1", ip, { limits: slow }));
    await failureOf(login(u.username, "bad-2", ip, { limits: slow }));
    // The free failures are spent; the third makes the next attempt wait 1 s, the fourth 2 s.
    expect((await failureOf(login(u.username, "bad-3", ip, { limits: slow }))).kind).toBe("UNAUTHORIZED");
    const waiting = await failureOf(login(u.username, FIXTURE_PASSWORD, ip, { limits: slow }));
    expect(waiting.kind).toBe("RATE_LIMITED");
    expect(waiting.message).toMatch(/Wait 1 seconds/);
    // Another address is not slowed down.
    await expect(login(u.username, FIXTURE_PASSWORD, "10.64.0.2", { limits: slow })).resolves.toBeTruthy();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await failureOf(login(u.username, "bad-4", ip, { limits: slow }))).kind).toBe("UNAUTHORIZED");
    expect((await failureOf(login(u.username, FIXTURE_PASSWORD, ip, { limits: slow }))).message).toMatch(
      /Wait 2 seconds/,
    );
  });

  it("an administrator can lift an account's lock", async () => {
    const u = await makeUser(s, "user");
    const admin = await makeUser(s, "superAdm");
    for (let i = 0; i < limits.maxPerAccount; i++) await failureOf(login(u.username, "bad-password"));
    expect((await failureOf(login(u.username, FIXTURE_PASSWORD))).kind).toBe("RATE_LIMITED");
    await callerFor(s, admin).users.clearSignInLock({ id: u.id });
    await expect(login(u.username, FIXTURE_PASSWORD)).resolves.toMatchObject({ id: u.id });
  });
});
