// Enrolling is open to anyone on the network, so it is limited before any row is written: per client
// address (an IPv6 client by its /64, as sign-up counts) and for the whole portal, per window.
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { addressBucketOf, reserveAddressAndPortalSlot } from "../account/sign-up-limit";
import { DomainError } from "../errors";

export interface EnrolLimits {
  perAddress: number;
  perPortal: number;
  windowSeconds: number;
}

/** A lab of 40 PCs behind one NAT address enrols in one go; a flood from many addresses stops at 500. */
export const ENROL_LIMITS: EnrolLimits = { perAddress: 60, perPortal: 500, windowSeconds: 3600 };

/** Takes one enrolment slot for this address, or throws RATE_LIMITED. */
export async function reserveEnrolment(
  redis: Redis,
  prefix: string,
  ip: string | null,
  limits: EnrolLimits = ENROL_LIMITS,
): Promise<void> {
  const wait = await reserveAddressAndPortalSlot(
    redis,
    {
      address: `${prefix}:terminal-enrol:addr:${addressBucketOf(ip)}`,
      portal: `${prefix}:terminal-enrol:portal`,
    },
    limits,
  );
  if (wait !== 0)
    throw new DomainError(
      "RATE_LIMITED",
      msg("terminals.tooManyEnrolments", { minutes: Math.max(1, Math.ceil(wait / 60)) }),
    );
}
