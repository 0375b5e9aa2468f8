// API tokens end to end on the real database and Redis: a token is created through tRPC, presented as
// `Authorization: Bearer` to the same resolver the routes use, and acts as its user as the account is
// now, never above the token's role; read-only tokens are refused writes in procedureFor and
// defineHandler; every broken token gets the same 401; a token over its budget gets 429 + Retry-After.
import { Writable } from "node:stream";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { apiTokens, auditLog, users } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { actorOf } from "@/server/domain/policies/caller";
import { getServices } from "@/server/services";
import {
  callerFor,
  makeGroup,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { sessionCookieFor } from "@/server/testing/tus-client";
import { CLIENT_IP_HEADER } from "@/server/auth/client-ip";
import type { CreateApiTokenInput } from "@/common/api-tokens";
import { resolveSessionOrTokenCaller, type SessionDeps } from "./caller";
import { defineHandler } from "./handler";
import { createTusServer } from "@/server/uploads/tus-server";
import { formatUploadMetadata } from "@/server/uploads/tus-headers";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECRET = getServices().settings.sessionSecret;
let s: TestServices;
let deps: SessionDeps;
beforeAll(() => {
  s = openTestServices();
  deps = { db: s.db, redis: s.redis, redisPrefix: s.prefix, secret: SECRET };
});
afterAll(() => s.close());

const bearer = (token: string, extra: Record<string, string> = {}) =>
  new Request("http://portal/api/v1/anything", {
    headers: { authorization: `Bearer ${token}`, [CLIENT_IP_HEADER]: "192.0.2.7", ...extra },
  });

async function createToken(actor: Actor, over: Partial<CreateApiTokenInput> = {}) {
  return callerFor(s, actor).apiTokens.create({
    name: "script",
    expiresInDays: 30,
    role: actor.role,
    readOnly: false,
    ...over,
  });
}

async function resolveActor(token: string, d: Partial<SessionDeps> = {}): Promise<Actor | null> {
  return actorOf(await resolveSessionOrTokenCaller(bearer(token), { ...deps, ...d }));
}

/** The refusal's kind and message code, or "ok". */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    const cause = err instanceof TRPCError ? err.cause : err;
    if (cause instanceof DomainError) return `${cause.kind} ${cause.code}`;
    if (cause instanceof ZodError) return `INVALID ${cause.issues.map((i) => i.path.join(".")).join(",")}`;
    throw err;
  }
}

describe("creating tokens", () => {
  it("hands out the whole token once; lists show its public id only", async () => {
    const u = await makeUser(s, "powerUser");
    const made = await createToken(u, { name: "backup job" });
    expect(made.token).toMatch(/^ect_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(made.token.startsWith(`ect_${made.publicId}_`)).toBe(true);
    const listed = await callerFor(s, u).apiTokens.list();
    expect(listed.map((t) => t.id)).toEqual([made.id]);
    expect(JSON.stringify(listed)).not.toContain(made.token.slice(-43));
    const [row] = await s.db.select().from(apiTokens).where(eq(apiTokens.id, made.id));
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secretHash).not.toContain(made.token.slice(-43));
  });

  it("refuses a role above the creator's own, and a token minting another", async () => {
    const u = await makeUser(s, "powerUser");
    expect(await outcome(createToken(u, { role: "powerAdm" }))).toBe("FORBIDDEN apiTokens.roleAboveOwn");
    const made = await createToken(u, { role: "user" });
    const viaToken = (await resolveActor(made.token))!;
    expect(await outcome(createToken(viaToken, { role: "user" }))).toBe("FORBIDDEN apiTokens.notWithToken");
  });

  it("keeps at most 20 live tokens per account (revoked and expired ones do not count)", async () => {
    const u = await makeUser(s, "user");
    const made = [];
    for (let i = 0; i < 20; i++) made.push(await createToken(u, { name: `t${i}` }));
    expect(await outcome(createToken(u))).toBe("CONFLICT apiTokens.tooMany");
    await callerFor(s, u).apiTokens.revoke({ id: made[0]!.id });
    await s.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, made[1]!.id));
    expect(await outcome(createToken(u))).toBe("ok");
    expect(await outcome(createToken(u))).toBe("ok");
    expect(await outcome(createToken(u))).toBe("CONFLICT apiTokens.tooMany");
  });

  it("only accepts the expiry presets (at most a year)", async () => {
    const u = await makeUser(s, "user");
    expect(await outcome(createToken(u, { expiresInDays: 366 as never }))).toBe("INVALID expiresInDays");
    const made = await createToken(u, { expiresInDays: 365 });
    const days = (made.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364.9);
    expect(days).toBeLessThanOrEqual(365);
  });
});

describe("resolving a Bearer token", () => {
  it("acts as the user, capped by the token: a powerAdm's powerUser token administers nothing", async () => {
    const g = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [g]);
    expect(teacher.adminGroupIds).toEqual([g]);
    const full = await createToken(teacher);
    const capped = await createToken(teacher, { role: "powerUser", readOnly: true });
    const a = (await resolveActor(full.token))!;
    expect(a).toMatchObject({ id: teacher.id, role: "powerAdm", groupIds: [g], adminGroupIds: [g] });
    expect(a.token).toEqual({ id: full.id, publicId: full.publicId, readOnly: false });
    const b = (await resolveActor(capped.token))!;
    expect(b).toMatchObject({ id: teacher.id, role: "powerUser", groupIds: [g], adminGroupIds: [] });
    expect(b.token!.readOnly).toBe(true);
  });

  it("demoting the user shrinks every token of theirs at once; promoting them does not grow it", async () => {
    const g = await makeGroup(s);
    const admin = await makeUser(s, "superAdm", [g]);
    const made = await createToken(admin);
    const small = await createToken(admin, { role: "powerUser" });
    expect((await resolveActor(made.token))!.role).toBe("superAdm");
    await s.db.update(users).set({ role: "user" }).where(eq(users.id, admin.id));
    expect(await resolveActor(made.token)).toMatchObject({ role: "user", adminGroupIds: [] });
    await s.db.update(users).set({ role: "superAdm" }).where(eq(users.id, admin.id));
    expect((await resolveActor(small.token))!.role).toBe("powerUser");
  });

  it("answers one UNAUTHORIZED for a wrong, unknown, revoked or expired token and a disabled account", async () => {
    const u = await makeUser(s, "user");
    const ok = await createToken(u);
    const revoked = await createToken(u);
    const expired = await createToken(u);
    await callerFor(s, u).apiTokens.revoke({ id: revoked.id });
    await s.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(apiTokens.id, expired.id));
    const wrongSecret = ok.token.slice(0, -43) + "A".repeat(43);
    const unknownId = `ect_${"0".repeat(16)}_${ok.token.slice(-43)}`;
    const refused = [wrongSecret, unknownId, revoked.token, expired.token, "ect_short", "not-a-token"];
    for (const token of refused)
      expect(await outcome(resolveActor(token)), token).toBe("UNAUTHORIZED apiTokens.invalid");
    // A header that is not Bearer is refused the same way (never taken for a cookie's absence).
    const basic = new Request("http://portal/", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(await outcome(resolveSessionOrTokenCaller(basic, deps))).toBe("UNAUTHORIZED apiTokens.invalid");
    expect(await outcome(resolveActor(ok.token))).toBe("ok");
    await s.db.update(users).set({ disabled: true }).where(eq(users.id, u.id));
    expect(await outcome(resolveActor(ok.token))).toBe("UNAUTHORIZED apiTokens.invalid");
  });

  it("a bad Bearer header never falls back to the session cookie sent along", async () => {
    const u = await makeUser(s, "superAdm");
    const cookie = await sessionCookieFor(s, u.id, SECRET);
    const withCookie = new Request("http://portal/", { headers: { cookie } });
    expect(actorOf(await resolveSessionOrTokenCaller(withCookie, deps))?.id).toBe(u.id);
    const both = bearer("ect_0000000000000000_" + "x".repeat(43), { cookie });
    expect(await outcome(resolveSessionOrTokenCaller(both, deps))).toBe("UNAUTHORIZED apiTokens.invalid");
  });

  it("writes last use at most once a minute per token, with the address", async () => {
    const u = await makeUser(s, "user");
    const made = await createToken(u);
    const lastUse = async () => (await s.db.select().from(apiTokens).where(eq(apiTokens.id, made.id)))[0]!;
    expect((await lastUse()).lastUsedAt).toBeNull();
    await resolveActor(made.token);
    expect((await lastUse()).lastUsedAt).not.toBeNull();
    expect((await lastUse()).lastUsedIp).toBe("192.0.2.7");
    await s.db.update(apiTokens).set({ lastUsedAt: null }).where(eq(apiTokens.id, made.id));
    await resolveActor(made.token);
    await resolveActor(made.token);
    expect((await lastUse()).lastUsedAt).toBeNull(); // within the minute: no write
    await s.redis.del(`${s.prefix}:api-token:used:${made.id}`); // the minute is over
    await resolveActor(made.token);
    expect((await lastUse()).lastUsedAt).not.toBeNull();
  });

  it("rate-limits each token: RATE_LIMITED once its budget is spent, other tokens go on", async () => {
    const u = await makeUser(s, "user");
    const a = await createToken(u);
    const b = await createToken(u);
    const limits = { perToken: 3, perUser: 100, windowSeconds: 60 };
    for (let i = 0; i < 3; i++)
      expect(await outcome(resolveActor(a.token, { tokenLimits: limits }))).toBe("ok");
    let err: unknown;
    await resolveActor(a.token, { tokenLimits: limits }).catch((e: unknown) => (err = e));
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("RATE_LIMITED");
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await outcome(resolveActor(b.token, { tokenLimits: limits }))).toBe("ok");
  });
});

describe("read-only tokens", () => {
  it("procedureFor refuses every mutation of a read-only token and lets queries through", async () => {
    const u = await makeUser(s, "powerUser");
    const ro = (await resolveActor((await createToken(u, { readOnly: true })).token))!;
    const rw = (await resolveActor((await createToken(u)).token))!;
    expect(await outcome(callerFor(s, ro).account.me())).toBe("ok");
    expect(await outcome(callerFor(s, ro).apiTokens.list())).toBe("ok");
    expect(await outcome(callerFor(s, ro).account.updatePreferences({ theme: "dark" }))).toBe(
      "FORBIDDEN apiTokens.readOnly",
    );
    expect(await outcome(callerFor(s, ro).apiTokens.revoke({ id: rw.token!.id }))).toBe(
      "FORBIDDEN apiTokens.readOnly",
    );
    expect(await outcome(callerFor(s, rw).account.updatePreferences({ theme: "dark" }))).toBe("ok");
  });

  it("defineHandler refuses a read-only token every method but GET and HEAD; 429 carries Retry-After", async () => {
    const u = await makeUser(s, "user");
    const ro = await createToken(u, { readOnly: true });
    const rw = await createToken(u);
    const handler = defineHandler({
      resource: "account",
      action: "read",
      credentials: "sessionOrToken",
      audit: { action: "test.apiTokens" },
      handle: async ({ caller }) => Response.json({ id: actorOf(caller)?.id }),
    });
    const call = (token: string, method: string) =>
      handler(new Request("http://portal/x", { method, headers: { authorization: `Bearer ${token}` } }));
    expect((await call(ro.token, "GET")).status).toBe(200);
    expect((await call(ro.token, "HEAD")).status).toBe(200);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await call(ro.token, method);
      expect(res.status, method).toBe(403);
      expect(((await res.json()) as { serverMessage: { code: string } }).serverMessage.code).toBe(
        "apiTokens.readOnly",
      );
    }
    expect((await call(rw.token, "POST")).status).toBe(200);
    expect((await call("ect_nope", "GET")).status).toBe(401);
    // The write was audited as the token (user!publicId), so its doings can be told from the user's own.
    const audited = await s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, u.id), eq(auditLog.action, "test.apiTokens")));
    expect(audited.map((r) => r.actorName)).toContain(`${u.username}!${rw.publicId}`);
    // Spend the token's minute (as 600 requests would) and the next one is told when to come back.
    await s.redis.set(`${s.prefix}:api-token:rate:${rw.id}`, "600", "EX", 42);
    const limited = await call(rw.token, "GET");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(42);
  });
});

describe("revoking and what is kept", () => {
  it("the user revokes their own; others are refused; superAdm revokes anyone's and lists all", async () => {
    const u = await makeUser(s, "user");
    const other = await makeUser(s, "powerAdm");
    const admin = await makeUser(s, "superAdm");
    const a = await createToken(u);
    const b = await createToken(u);
    expect(await outcome(callerFor(s, other).apiTokens.revoke({ id: a.id }))).toBe(
      "FORBIDDEN apiTokens.notYours",
    );
    expect(await outcome(callerFor(s, other).apiTokens.listAll())).toMatch(/^FORBIDDEN/);
    const all = await callerFor(s, admin).apiTokens.listAll();
    expect(all.filter((t) => t.userId === u.id).map((t) => t.id)).toEqual([b.id, a.id]);
    await callerFor(s, admin).apiTokens.revokeAny({ id: a.id });
    await callerFor(s, u).apiTokens.revoke({ id: b.id });
    expect(await outcome(resolveActor(a.token))).toBe("UNAUTHORIZED apiTokens.invalid");
    expect(await outcome(resolveActor(b.token))).toBe("UNAUTHORIZED apiTokens.invalid");
    expect(await callerFor(s, u).apiTokens.list()).toEqual([]);
    expect(await outcome(callerFor(s, u).apiTokens.revoke({ id: b.id }))).toBe("NOT_FOUND notFound.apiToken");
  });

  it("the secret is in neither the audit log nor the log", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ level: "trace" }, sink);
    const u = await makeUser(s, "user");
    const c = callerFor(s, u, "127.0.0.1", { log });
    const made = await c.apiTokens.create({
      name: "audited",
      expiresInDays: 7,
      role: "user",
      readOnly: false,
    });
    await c.apiTokens.create({ name: "", expiresInDays: 7, role: "user", readOnly: false }).catch(() => null);
    await resolveActor(made.token);
    await c.apiTokens.revoke({ id: made.id });
    const secret = made.token.slice(-43);
    const audited = await s.db.select().from(auditLog).where(eq(auditLog.actorId, u.id));
    expect(audited.map((r) => r.action).sort()).toEqual([
      "apiTokens.create",
      "apiTokens.create",
      "apiTokens.revoke",
    ]);
    expect(audited.find((r) => r.result === "success" && r.action === "apiTokens.create")!.targetId).toBe(
      String(made.id),
    );
    const everything = JSON.stringify(audited) + lines.join("");
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(made.token);
  });
});

describe("a token and its own account", () => {
  it("may not change its owner's password, reset link, role or state; other accounts as the role allows", async () => {
    const admin = await makeUser(s, "superAdm");
    const other = await makeUser(s, "user");
    const viaToken = callerFor(s, (await resolveActor((await createToken(admin)).token))!);
    const own = "FORBIDDEN apiTokens.notOwnAccount";
    expect(await outcome(viaToken.users.resetPassword({ id: admin.id, password: "a-new-password-1" }))).toBe(
      own,
    );
    expect(await outcome(viaToken.users.issueResetLink({ id: admin.id }))).toBe(own);
    expect(await outcome(viaToken.users.setDisabled({ id: admin.id, disabled: false }))).toBe(own);
    expect(
      await outcome(
        viaToken.users.update({ id: admin.id, displayName: "x", email: "", role: "superAdm", groupIds: [] }),
      ),
    ).toBe(own);
    expect(await outcome(viaToken.users.resetPassword({ id: other.id, password: "a-new-password-1" }))).toBe(
      "ok",
    );
    // The same account in the portal, with its session, still may.
    expect(await outcome(callerFor(s, admin).users.issueResetLink({ id: admin.id }))).toBe("ok");
  });
});

describe("uploads (tus, its own way in)", () => {
  it("a read-only token may not start, append to or cancel an upload; a read-write one may start", async () => {
    const u = await makeUser(s, "powerUser");
    const ro = await createToken(u, { readOnly: true });
    const rw = await createToken(u);
    const tus = createTusServer({
      db: s.db,
      storeDir: mkdtempSync(join(tmpdir(), "tus-ro-")),
      maxBytes: 1024 * 1024,
      convertTimeoutSeconds: 60,
      basePath: "/api/v1/uploads",
      resolveCaller: (req) => resolveSessionOrTokenCaller(req, deps),
    });
    const headers = (token: string, extra: Record<string, string> = {}) => ({
      authorization: `Bearer ${token}`,
      "tus-resumable": "1.0.0",
      ...extra,
    });
    const start = (token: string) =>
      tus.create(
        new Request("http://portal/api/v1/uploads", {
          method: "POST",
          headers: headers(token, {
            "upload-length": "1024",
            "upload-metadata": formatUploadMetadata({ name: uniqueName("ro"), format: "raw" }),
          }),
        }),
      );
    const refused = await start(ro.token);
    expect(refused.status).toBe(403);
    const started = await start(rw.token);
    expect(started.status).toBe(201);
    const id = started.headers.get("location")!.split("/").at(-1)!;
    const append = await tus.patch(
      new Request(`http://portal/api/v1/uploads/${id}`, {
        method: "PATCH",
        headers: headers(ro.token, {
          "upload-offset": "0",
          "content-type": "application/offset+octet-stream",
        }),
        body: new Uint8Array(16),
      }),
      id,
    );
    expect(append.status).toBe(403);
  });
});
