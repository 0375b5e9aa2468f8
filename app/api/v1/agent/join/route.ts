import { joinRequestSchema } from "@/agents/protocol";
import { errorResponse } from "@/server/api/rest";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { joinHost } from "@/server/domain/hosts/join-host";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { readClientIp } from "@/server/auth/client-ip";
import { settings } from "@/server/settings";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/** An agent trades its one-time join token for host credentials. No session: the token is the proof. */
export async function POST(req: Request) {
  const ip = readClientIp(req.headers);
  try {
    const parsed = joinRequestSchema.safeParse(await req.json().catch(() => null));
    if (!parsed.success)
      throw new DomainError(
        "INVALID",
        msg("agent.badJoinRequest", {
          field: parsed.error.issues[0]?.path.join(".") ?? "",
          problem: parsed.error.issues[0]?.message ?? "",
        }),
      );
    const res = await joinHost({ db, settings }, parsed.data);
    await recordAudit(db, {
      actorId: null,
      actorName: `agent:${parsed.data.name}`,
      action: "hosts.join",
      targetType: "hosts",
      targetId: res.hostId,
      result: "success",
      ip,
    });
    return Response.json(res, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    await recordAudit(db, {
      actorId: null,
      actorName: "agent",
      action: "hosts.join",
      result: "failure",
      errorCode: err instanceof DomainError ? err.kind : "ERROR",
      ip,
    }).catch(() => undefined);
    return errorResponse(err);
  }
}
