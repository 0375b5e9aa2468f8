import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/auth-options";

/** Sign-in, sign-out and the session cookie (next-auth). */
export const authHandler = NextAuth(authOptions);
