// What the launch dialog offers: exactly what createInstances would accept from this caller in this
// group (the same catalogue functions decide both), so a student sees only their class's catalogue.
import { asc, eq, inArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { flavors, groups, memberships } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { listAllNewestImages } from "../images/find-images";
import { listNetworkChoices } from "../networks/find-networks";
import {
  catalogueAllowsFlavor,
  catalogueAllowsImage,
  catalogueAllowsNetwork,
  readCatalogue,
} from "./catalogue";

export interface LaunchOptions {
  /** The caller's groups (where they may launch); superAdm may also launch without one. */
  groups: { id: number; name: string }[];
  /** The group these options are for (null: superAdm without a group, or someone in no group). */
  groupId: number | null;
  images: { id: string; name: string; osType: string; sourceFormat: string }[];
  flavors: { id: number; name: string; vcpus: number; memoryMiB: number; diskGiB: number }[];
  networks: { id: string; name: string; cidr: string }[];
}

export async function readLaunchOptions(
  ctx: DomainContext,
  input: { groupId?: number },
): Promise<LaunchOptions> {
  const actor = requireActor(ctx);
  const mine = actor.groupIds.length
    ? await ctx.db
        .select({ id: groups.id, name: groups.name })
        .from(groups)
        .innerJoin(memberships, eq(memberships.groupId, groups.id))
        .where(inArray(memberships.userId, [actor.id]))
        .orderBy(asc(groups.name))
    : [];
  if (input.groupId !== undefined && actor.role !== "superAdm" && !actor.groupIds.includes(input.groupId))
    throw new DomainError("FORBIDDEN", msg("catalogue.launchInYourGroup"), {
      groupId: msg("field.notYourGroup"),
    });
  // The same default as createInstances: the first group the person is in.
  const groupId = input.groupId ?? actor.groupIds[0] ?? null;
  const base = { groups: mine, groupId };
  if (actor.role !== "superAdm" && groupId === null)
    return { ...base, images: [], flavors: [], networks: [] };

  const [imageRows, flavorRows, networkRows] = await Promise.all([
    listAllNewestImages(ctx),
    ctx.db.select().from(flavors).orderBy(asc(flavors.vcpus), asc(flavors.memoryMiB), asc(flavors.name)),
    listNetworkChoices(ctx),
  ]);
  // superAdm launches anything they see (assertLaunchAllowed does not restrict them).
  const cat = actor.role === "superAdm" ? null : await readCatalogue(ctx.db, groupId!);
  return {
    ...base,
    images: imageRows
      .filter((i) => i.sourceFormat !== "iso" && (!cat || catalogueAllowsImage(cat, actor, i)))
      .map((i) => ({ id: i.id, name: i.name, osType: i.osType, sourceFormat: i.sourceFormat })),
    flavors: flavorRows
      .filter((f) => (cat ? catalogueAllowsFlavor(cat, f) : true))
      .map((f) => ({ id: f.id, name: f.name, vcpus: f.vcpus, memoryMiB: f.memoryMiB, diskGiB: f.diskGiB })),
    networks: networkRows
      .filter((n) => !cat || catalogueAllowsNetwork(cat, n.id))
      .map((n) => ({ id: n.id, name: n.name, cidr: n.cidr })),
  };
}
