import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { db } from "@/server/db";
import { redis } from "@/server/queue";
import { getServices } from "@/server/services";
import { log } from "@/server/log";
import { authenticateUser } from "@/server/domain/account/authenticate";
import { loadActor } from "@/server/domain/account/load-actor";
import { recordAudit } from "@/server/domain/audit/record-audit";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { loginInput } from "@/server/domain/users/schemas";
import { readSessionClaims } from "@/server/http/caller";
import { readClientIp } from "./client-ip";

const { settings } = getServices();

export const loginLimits = { prefix: settings.redisPrefix, ...settings.login };

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

/**
 * The signed-in actor for server components; null when signed out, disabled or the session was revoked.
 * The same claims reading and account loading as every route's caller (server/http/caller.ts); pages
 * have no Request, so the cookie comes from next/headers.
 */
export async function getCurrentActor(): Promise<Actor | null> {
  const claims = await readSessionClaims(await headers(), settings.sessionSecret);
  return claims ? loadActor(db, claims.uid, claims.sv) : null;
}
