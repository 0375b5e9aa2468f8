import { msg } from "@/common/message";
import { eq } from "drizzle-orm";
import { ipSubnets } from "@/db/schema";
import type { AccessPolicy } from "./policy";

/** A carved subnet is its carver's (a lab's powerAdm); superAdm reaches all. */
export const ipamPolicy: AccessPolicy<{ createdBy: number | null }> = {
  mayActOn: (actor, subnet) => actor.role === "superAdm" || subnet.createdBy === actor.id,
  refusal: msg("networks.subnetOfOther"),
  rowsFor: (actor) => (actor.role === "superAdm" ? undefined : eq(ipSubnets.createdBy, actor.id)),
};
