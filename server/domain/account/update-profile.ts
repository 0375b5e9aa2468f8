import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { users } from "@/db/schema";
import type { updateProfileInput } from "@/common/accounts";
import { requireActor, type DomainContext } from "../context";
import { getUser } from "../users/find-users";
import type { UserView } from "../users/user-view";

/** The caller's own display name and e-mail address (username and role are an administrator's). */
export async function updateOwnProfile(
  ctx: DomainContext,
  input: z.output<typeof updateProfileInput>,
): Promise<UserView> {
  const actor = requireActor(ctx);
  await ctx.db
    .update(users)
    .set({
      displayName: input.displayName,
      email: input.email || null,
      updatedAt: sql`CURRENT_TIMESTAMP(3)` as unknown as Date,
    })
    .where(eq(users.id, actor.id));
  return getUser(ctx, actor.id);
}
