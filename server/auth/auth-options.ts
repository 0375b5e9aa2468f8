import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { cookies, headers } from "next/headers";
import { db } from "@/server/db";
import { redis } from "@/server/queue";
import { getServices } from "@/server/services";
import { log } from "@/server/log";
import { authenticateUser } from "@/server/domain/account/authenticate";
import { endSession, loadSessionActor, newSessionId, startSession } from "@/server/domain/account/sessions";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { releaseDesktopsOf } from "@/server/domain/desktops/release-desktop";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { loginInput } from "@/server/domain/users/schemas";
import { readCookie, readSessionClaims } from "@/server/http/caller";
import { readClientIp } from "./client-ip";
import { deviceCookieName, newDeviceToken, validDeviceToken } from "./device-cookie";

const { settings } = getServices();

export const loginLimits = { prefix: settings.redisPrefix, ...settings.login };
const sessionStore = { redis, redisPrefix: settings.redisPrefix };

/**
 * The browser's device token from the sign-in request; a browser without one gets one now (set on
 * this very response), so that it becomes known for the account if this sign-in succeeds.
 */
async function deviceTokenOf(requestHeaders: Record<string, string> | undefined): Promise<string> {
  const name = deviceCookieName(settings.secureCookies);
  const existing = validDeviceToken(readCookie(requestHeaders?.cookie ?? null, name));
  if (existing) return existing;
  const token = newDeviceToken();
  (await cookies()).set(name, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: settings.secureCookies,
    path: "/",
    maxAge: Math.max(settings.login.knownDeviceSeconds, 86_400),
  });
  return token;
}

export const authOptions: NextAuthOptions = {
  secret: settings.sessionSecret,
  session: { strategy: "jwt", maxAge: settings.sessionMaxAgeSeconds },
  pages: { signIn: "/login", error: "/login" },
  logger: {
    error: (code, metadata) => log.error({ code, metadata }, "next-auth error"),
    warn: (code) => log.warn({ code }, "next-auth warning"),
    debug: () => {},
  },
  providers: [
    CredentialsProvider({
      name: "eduCloud",
      credentials: {
        username: { label: "Username", type: "text" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const parsed = loginInput.safeParse(credentials ?? {});
        if (!parsed.success)
          throw new Error(parsed.error.issues[0]?.message ?? "Enter your username and password.");
        try {
          const requestHeaders = req?.headers as Record<string, string> | undefined;
          const user = await authenticateUser(
            { db, redis, limits: loginLimits },
            {
              ...parsed.data,
              ip: readClientIp(requestHeaders),
              device: await deviceTokenOf(requestHeaders),
            },
          );
          return {
            id: String(user.id),
            name: user.username,
            sv: user.sessionVersion,
            locale: user.locale,
            theme: user.theme,
          };
        } catch (err) {
          // next-auth hands this text to the login form: the code (rendered in the reader's language there)
          // with the English as fallback.
          if (err instanceof DomainError)
            throw new Error(JSON.stringify({ code: err.code, params: err.params, message: err.message }), {
              cause: err,
            });
          log.error({ err }, "login failed unexpectedly");
          throw new Error("Sign-in failed because of a server problem. Try again shortly.", { cause: err });
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        // Signing in starts a session the server can end (sessions.ts): the cookie names it.
        const u = user as unknown as { id: string; sv: number };
        const sid = newSessionId();
        await startSession(sessionStore, Number(u.id), sid, settings.sessionMaxAgeSeconds);
        token.uid = Number(u.id);
        token.sv = u.sv;
        token.sid = sid;
      }
      return token;
    },
    session({ session, token }) {
      (session as unknown as { uid: number; sv: number }).uid = token.uid as number;
      (session as unknown as { uid: number; sv: number }).sv = token.sv as number;
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      const uid = token?.uid as number | undefined;
      // The cookie is only deleted in this browser; ending the session refuses every copy of it.
      if (uid && typeof token?.sid === "string")
        await endSession(sessionStore, uid, token.sid).catch((err: unknown) =>
          log.error({ err }, "could not end a session at sign-out"),
        );
      // Signing out hands back the user's desktops (reset, spare again).
      if (uid)
        await releaseDesktopsOf(
          // The queue is opened only for a user who holds desktops: signing out stays one query otherwise.
          {
            db,
            get jobs() {
              return getServices().jobs;
            },
          },
          { id: uid, username: String(token?.name ?? uid) },
        ).catch((err: unknown) => log.error({ err }, "could not release desktops at sign-out"));
      if (uid) {
        await recordAudit(db, {
          actorId: uid,
          actorName: String(token?.name ?? uid),
          action: "auth.logout",
          targetType: "user",
          targetId: String(uid),
          result: "success",
          ip: null,
        }).catch(() => undefined);
      }
    },
  },
};

/**
 * The signed-in actor for server components; null when signed out, disabled or the session was ended.
 * The same claims reading and account loading as every route's caller (server/http/caller.ts); pages
 * have no Request, so the cookie comes from next/headers.
 */
export async function getCurrentActor(): Promise<Actor | null> {
  const claims = await readSessionClaims(await headers(), settings.sessionSecret);
  return claims ? loadSessionActor({ db, ...sessionStore }, claims) : null;
}
