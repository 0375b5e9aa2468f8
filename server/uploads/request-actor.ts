// The signed-in actor of a plain Request (route handlers that stream, and tests that serve them over
// real HTTP): the next-auth session cookie decoded with the portal's secret, then the account as it is
// now (disabled or reset accounts get nothing).
import { decode } from "next-auth/jwt";
import type { Database } from "@/server/db/client";
import { loadActor } from "@/server/domain/account/load-actor";
import type { Actor } from "@/server/domain/context";

const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function readCookie(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export async function actorFromRequest(
  req: Request,
  deps: { db: Database; secret: string },
): Promise<Actor | null> {
  const cookie = req.headers.get("cookie");
  const token = COOKIE_NAMES.map((n) => readCookie(cookie, n)).find((v) => v);
  if (!token) return null;
  const claims = await decode({ token, secret: deps.secret }).catch(() => null);
  const uid = claims?.uid,
    sv = claims?.sv;
  if (typeof uid !== "number" || typeof sv !== "number") return null;
  return loadActor(deps.db, uid, sv);
}
