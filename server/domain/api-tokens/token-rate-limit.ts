// A token is for scripts, and a runaway script must not starve everyone else: each token has a budget per
// minute, and all of one account's tokens together another (20 tokens do not make 20 budgets). The
// counting is the sign-up limiter's (one Lua script, both counters at once, fixed windows).
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { reserveAddressAndPortalSlot } from "../account/sign-up-limit";
import { DomainError } from "../errors";

export interface TokenRateLimits {
  perToken: number;
  perUser: number;
  windowSeconds: number;
}

/** A burst of 600 requests a minute per token (10 a second, sustained), 1,200 per account. */
export const TOKEN_RATE_LIMITS: TokenRateLimits = { perToken: 600, perUser: 1200, windowSeconds: 60 };

/** A refusal that says when to come back (HTTP answers it as 429 with Retry-After). */
export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(seconds: number) {
    super("RATE_LIMITED", msg("apiTokens.rateLimited", { seconds }));
    this.retryAfterSeconds = seconds;
  }
}

/** Counts one request of the token, or throws RATE_LIMITED (nothing counted then). */
export async function reserveTokenRequest(
  redis: Redis,
  prefix: string,
  token: { id: number; userId: number },
  limits: TokenRateLimits = TOKEN_RATE_LIMITS,
): Promise<void> {
  const wait = await reserveAddressAndPortalSlot(
    redis,
    {
      address: `${prefix}:api-token:rate:${token.id}`,
      portal: `${prefix}:api-token:rate-user:${token.userId}`,
    },
    { perAddress: limits.perToken, perPortal: limits.perUser, windowSeconds: limits.windowSeconds },
  );
  if (wait !== 0) throw new RateLimitedError(wait);
}
