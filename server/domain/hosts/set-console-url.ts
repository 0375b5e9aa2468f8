import { eq } from "drizzle-orm";
import { consoleUrlSchema } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { readHostUsage, toHostView, type HostView } from "./find-hosts";
import { msg } from "@/common/message";

/**
 * Moves a host's pinned console address: the one way it changes after the host joined (heartbeats
 * cannot). Only ws(s)://host:port, so the proxy never connects anywhere a path or credentials would add.
 */
export async function setHostConsoleUrl(
  ctx: DomainContext,
  input: { id: string; consoleUrl: string },
): Promise<HostView> {
  requireActor(ctx);
  const parsed = consoleUrlSchema.safeParse(input.consoleUrl.trim());
  if (!parsed.success) {
    const why = msg("hosts.consoleUrlInvalid", { example: "ws://node7.lab:7901" });
    throw new DomainError("INVALID", why, { consoleUrl: why });
  }
  const [res] = await ctx.db.update(hosts).set({ consoleUrl: parsed.data }).where(eq(hosts.id, input.id));
  if (res.affectedRows === 0) throw notFound("host");
  const row = (await ctx.db.select().from(hosts).where(eq(hosts.id, input.id)))[0]!;
  return toHostView(row, (await readHostUsage(ctx.db)).get(row.id), ctx.settings);
}
