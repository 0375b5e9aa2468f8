import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/auth-options";
import type { RouteMeta } from "./handler";

/** Sign-in, sign-out and the session cookie (next-auth): how a caller comes to exist at all. */
export const authHandler = Object.assign(NextAuth(authOptions), {
  meta: {
    exempt: "signing in is how a caller is made; sign-in is tested by authenticate.int.test.ts",
  } as RouteMeta,
});
