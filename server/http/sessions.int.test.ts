// A session cookie is a signed JWT; these check that the server still ends it: sign-out, a password
// change (own or by an administrator) and "sign out everywhere", each seen through the real tRPC
// endpoint with the old cookie. Sign-in and sign-out run next-auth's own hooks of ours (authOptions).
import { eq } from "drizzle-orm";
import { decode, encode, type JWT } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { authOptions } from "@/server/auth/auth-options";
import { trpcHandler } from "@/server/http/trpc";
import { getServices } from "@/server/services";
import { FIXTURE_PASSWORD, makeUser, openTestServices, type TestServices } from "@/server/testing/fixtures";

const SECRET = getServices().settings.sessionSecret;
let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

/** What next-auth does at a successful sign-in: our jwt callback, then the signed cookie. */
async function signIn(userId: number): Promise<string> {
  const [row] = await s.db.select().from(users).where(eq(users.id, userId));
  const token = await authOptions.callbacks!.jwt!({
    token: { name: row!.username },
    user: { id: String(userId), sv: row!.sessionVersion },
    account: null,
  } as never);
  return `next-auth.session-token=${await encode({ token: token as JWT, secret: SECRET })}`;
}

/** What next-auth does at sign-out (after its CSRF check): our signOut event with the cookie's token. */
async function signOut(cookie: string): Promise<void> {
  const token = await decode({ token: cookie.split("=")[1]!, secret: SECRET });
  await authOptions.events!.signOut!({ token: token!, session: undefined as never });
}

async function trpc(cookie: string, path: string, input?: unknown): Promise<number> {
  const req =
    input === undefined && path === "account.me"
      ? new Request(`http://portal/api/trpc/${path}`, { headers: { cookie } })
      : new Request(`http://portal/api/trpc/${path}`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json" },
          body: JSON.stringify({ json: input ?? null }),
        });
  const res = await trpcHandler(req);
  await res.body?.cancel();
  return res.status;
}
const me = (cookie: string) => trpc(cookie, "account.me");

describe("sessions end on the server", () => {
  it("sign-out ends that session: a copy of its cookie is refused, other sessions go on", async () => {
    const u = await makeUser(s, "user");
    const laptop = await signIn(u.id);
    const phone = await signIn(u.id);
    expect(await me(laptop)).toBe(200);
    const stolenCopy = laptop;
    await signOut(laptop);
    expect(await me(stolenCopy)).toBe(401);
    expect(await me(phone)).toBe(200);
  });

  it("changing one's own password ends the other sessions and keeps the one that changed it", async () => {
    const u = await makeUser(s, "user");
    const here = await signIn(u.id);
    const elsewhere = await signIn(u.id);
    expect(
      await trpc(here, "account.changePassword", {
        currentPassword: FIXTURE_PASSWORD,
        newPassword: "a-brand-new-password-1",
        confirmPassword: "a-brand-new-password-1",
      }),
    ).toBe(200);
    expect(await me(elsewhere)).toBe(401);
    expect(await me(here)).toBe(200);
  });

  it("an administrator's password reset ends every session of the account", async () => {
    const u = await makeUser(s, "user");
    const admin = await makeUser(s, "superAdm");
    const session = await signIn(u.id);
    const adminSession = await signIn(admin.id);
    expect(await trpc(adminSession, "users.resetPassword", { id: u.id, password: "reset-password-12" })).toBe(
      200,
    );
    expect(await me(session)).toBe(401);
    expect(await me(adminSession)).toBe(200);
  });

  it("sign out everywhere ends every session, the one asking included", async () => {
    const u = await makeUser(s, "user");
    const here = await signIn(u.id);
    const elsewhere = await signIn(u.id);
    expect(await trpc(here, "account.signOutEverywhere")).toBe(200);
    expect(await me(here)).toBe(401);
    expect(await me(elsewhere)).toBe(401);
    // Signing in again works.
    expect(await me(await signIn(u.id))).toBe(200);
  });

  it("a cookie without a session id (one that could never be ended) is refused", async () => {
    const u = await makeUser(s, "user");
    const [row] = await s.db.select().from(users).where(eq(users.id, u.id));
    const legacy = await encode({ token: { uid: u.id, sv: row!.sessionVersion }, secret: SECRET });
    expect(await me(`next-auth.session-token=${legacy}`)).toBe(401);
  });
});
