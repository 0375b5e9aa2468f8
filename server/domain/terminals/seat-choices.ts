// The desktops an admin may seat a terminal at, for the terminal dialog's picker: every live desktop of
// the lab's pools, by name, with why one cannot be a seat (handed out to a student) and which terminals
// already sit at it. Scoped like the terminals themselves (the lab's group's admins; a public lab:
// superAdm); approve and update check the chosen seat again (assertSeatInLab).
import { and, asc, eq, inArray, ne, notInArray } from "drizzle-orm";
import { instances, labs, terminals } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { poolIdsOfLab } from "./load-terminal";

export interface SeatChoice {
  id: string;
  name: string;
  state: string;
  /** A student's now: not a seat (whoever sits at the terminal would see their screen). */
  handedOut: boolean;
  /** Terminals seated at it already (a desktop may be shown by several, e.g. a teacher's demo). */
  seatOf: { id: string; name: string }[];
}

export async function listSeatChoices(ctx: DomainContext, labId: number): Promise<SeatChoice[]> {
  const actor = requireActor(ctx);
  const [lab] = await ctx.db
    .select({ id: labs.id, groupId: labs.groupId })
    .from(labs)
    .where(eq(labs.id, labId));
  if (!lab) throw notFound("lab");
  assertMayActOn(actor, "terminals", { labId: lab.id, labGroupId: lab.groupId });
  const poolIds = await poolIdsOfLab(ctx.db, lab.id);
  if (!poolIds.length) return [];
  const desktops = await ctx.db
    .select({
      id: instances.id,
      name: instances.name,
      state: instances.state,
      assignedTo: instances.assignedTo,
    })
    .from(instances)
    .where(
      and(
        inArray(instances.poolId, poolIds),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED", "DELETING"]),
      ),
    )
    .orderBy(asc(instances.name));
  if (!desktops.length) return [];
  const seated = await ctx.db
    .select({ id: terminals.id, name: terminals.name, seat: terminals.seatInstanceId })
    .from(terminals)
    .where(
      and(
        ne(terminals.state, "revoked"),
        inArray(
          terminals.seatInstanceId,
          desktops.map((d) => d.id),
        ),
      ),
    )
    .orderBy(asc(terminals.name));
  return desktops.map((d) => ({
    id: d.id,
    name: d.name,
    state: d.state,
    handedOut: d.assignedTo !== null,
    seatOf: seated.filter((t) => t.seat === d.id).map((t) => ({ id: t.id, name: t.name })),
  }));
}
