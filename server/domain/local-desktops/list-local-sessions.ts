// What the admin sees: which lab PCs run which local desktop now (runs whose end was not reported yet),
// and the last ended ones.
import { desc, eq, isNotNull, isNull } from "drizzle-orm";
import { hosts, localSessions, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";

export interface LocalSessionView {
  id: string;
  host: { id: string; name: string };
  user: { id: number; username: string } | null;
  profileId: number | null;
  profileName: string;
  profileVersion: number;
  startedAt: Date;
  endedAt: Date | null;
}

export async function listLocalSessions(
  ctx: DomainContext,
  input: { recentEnded?: number } = {},
): Promise<{ running: LocalSessionView[]; ended: LocalSessionView[] }> {
  requireActor(ctx);
  const base = () =>
    ctx.db
      .select({ s: localSessions, hostName: hosts.name, username: users.username })
      .from(localSessions)
      .innerJoin(hosts, eq(hosts.id, localSessions.hostId))
      .leftJoin(users, eq(users.id, localSessions.userId));
  const view = (r: { s: typeof localSessions.$inferSelect; hostName: string; username: string | null }) => ({
    id: r.s.id,
    host: { id: r.s.hostId, name: r.hostName },
    user: r.s.userId !== null && r.username !== null ? { id: r.s.userId, username: r.username } : null,
    profileId: r.s.profileId,
    profileName: r.s.profileName,
    profileVersion: r.s.profileVersion,
    startedAt: r.s.startedAt,
    endedAt: r.s.endedAt,
  });
  const running = await base()
    .where(isNull(localSessions.endedAt))
    .orderBy(hosts.name, desc(localSessions.startedAt))
    .limit(1000);
  const ended = await base()
    .where(isNotNull(localSessions.endedAt))
    .orderBy(desc(localSessions.endedAt))
    .limit(input.recentEnded ?? 20);
  return { running: running.map(view), ended: ended.map(view) };
}
