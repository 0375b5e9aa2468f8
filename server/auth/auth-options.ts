import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth";
import { env } from "@/server/env";
import { db } from "@/server/db";
import { redis } from "@/server/queue";
import { log } from "@/server/log";
import { authenticateUser } from "@/server/domain/account/authenticate";
import { loadActor } from "@/server/domain/account/load-actor";
import { recordAudit } from "@/server/domain/audit/record-audit";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { loginInput } from "@/server/domain/users/schemas";
import { readClientIp } from "./client-ip";

export const loginLimits = {
  prefix: env.REDIS_PREFIX,
  maxPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
  maxPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
  windowSeconds: env.LOGIN_WINDOW_SECONDS,
};

export const authOptions: NextAuthOptions = {
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: env.SESSION_MAX_AGE_SECONDS },
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
          const user = await authenticateUser(
            { db, redis, limits: loginLimits },
            { ...parsed.data, ip: readClientIp(req?.headers as Record<string, string> | undefined) },
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
            throw new Error(JSON.stringify({ code: err.code, params: err.params, message: err.message }));
          log.error({ err }, "login failed unexpectedly");
          throw new Error("Sign-in failed because of a server problem. Try again shortly.");
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const u = user as unknown as { id: string; sv: number };
        token.uid = Number(u.id);
        token.sv = u.sv;
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

export interface SessionClaims {
  uid: number;
  sv: number;
}

export async function getSessionClaims(): Promise<SessionClaims | null> {
  const s = (await getServerSession(authOptions)) as unknown as Partial<SessionClaims> | null;
  return s && typeof s.uid === "number" && typeof s.sv === "number" ? { uid: s.uid, sv: s.sv } : null;
}

/** The signed-in actor for server components; null when signed out, disabled or the session was revoked. */
export async function getCurrentActor(): Promise<Actor | null> {
  const claims = await getSessionClaims();
  return claims ? loadActor(db, claims.uid, claims.sv) : null;
}
