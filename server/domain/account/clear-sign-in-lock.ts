import { requireActor, type DomainContext } from "../context";
import { getUser } from "../users/find-users";
import { clearAccountLock } from "./login-rate-limit";

/**
 * An administrator lifts the sign-in lock of an account (someone guessed at its name): every browser
 * may try its password again. Addresses that guessed keep their own limits and delays.
 */
export async function clearSignInLock(ctx: DomainContext, id: number): Promise<{ id: number }> {
  requireActor(ctx);
  const user = await getUser(ctx, id);
  await clearAccountLock(ctx.redis, ctx.settings.redisPrefix, user.username);
  return { id: user.id };
}
