// A teacher's message to a desktop (≤ 500 characters), shown on its console page until the student
// dismisses it.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { desktopMessages, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { assertMayActOn } from "../policies/authorize";
import { loadDesktopForActor } from "./release-desktop";
import { loadDesktopRow } from "./load-desktop";

export async function sendDesktopMessage(
  ctx: DomainContext,
  input: { instanceId: string; text: string },
): Promise<{ id: number }> {
  const actor = requireActor(ctx);
  const row = await loadDesktopRow(ctx.db, input.instanceId);
  assertMayActOn(actor, "desktops", { labAdmin: { groupId: row.groupId } });
  const [res] = await ctx.db
    .insert(desktopMessages)
    .values({ instanceId: row.id, fromUserId: actor.id, text: input.text });
  return { id: res.insertId };
}

/** The unseen messages of a desktop, oldest first (its student, or a teacher of its group). */
export async function readDesktopMessages(ctx: DomainContext, instanceId: string) {
  await loadDesktopForActor(ctx, instanceId);
  return ctx.db
    .select({
      id: desktopMessages.id,
      text: desktopMessages.text,
      createdAt: desktopMessages.createdAt,
      from: users.displayName,
    })
    .from(desktopMessages)
    .leftJoin(users, eq(users.id, desktopMessages.fromUserId))
    .where(and(eq(desktopMessages.instanceId, instanceId), isNull(desktopMessages.seenAt)))
    .orderBy(asc(desktopMessages.createdAt));
}

export async function dismissDesktopMessages(
  ctx: DomainContext,
  input: { instanceId: string; messageIds?: number[] },
): Promise<{ dismissed: number }> {
  await loadDesktopForActor(ctx, input.instanceId);
  const [res] = await ctx.db
    .update(desktopMessages)
    .set({ seenAt: new Date() })
    .where(
      and(
        eq(desktopMessages.instanceId, input.instanceId),
        isNull(desktopMessages.seenAt),
        input.messageIds?.length ? inArray(desktopMessages.id, input.messageIds) : undefined,
      ),
    );
  return { dismissed: res.affectedRows };
}
