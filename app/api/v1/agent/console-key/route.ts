import { errorResponse } from "@/server/api/rest";
import { consoleVerifyKeyOf } from "@/server/console/console-key";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { env } from "@/server/env";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/** Agents fetch the public key that verifies the portal's console grants (host credentials required). */
export async function GET(req: Request) {
  try {
    if (!(await authenticateHost(db, req.headers.get("authorization"))))
      throw new DomainError("UNAUTHORIZED", msg("hosts.unknownHostSecret"));
    return Response.json(
      { key: consoleVerifyKeyOf(env.NEXTAUTH_SECRET) },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
