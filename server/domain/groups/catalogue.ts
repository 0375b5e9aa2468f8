// A group's catalogue: what its members may launch. superAdm launches anything they can see; everyone
// else launches in one of their groups, from that group's catalogue: the public images and flavors the
// group was given (group_catalogue) plus the group's own images and flavors; a powerUser's own private
// images too (they made them). Networks and hosts restrict only when the group lists at least one.
import { and, eq } from "drizzle-orm";
import { msg } from "@/common/message";
import type { CatalogueKind } from "@/common/groups";
import { groupCatalogue, groups, type FlavorRow, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { familyOf } from "../images/find-images";

type Reader = Pick<Database, "select">;

export interface GroupCatalogue {
  groupId: number;
  /** Image families (the first version's id): a new version of a listed image stays allowed. */
  imageFamilies: Set<string>;
  flavorIds: Set<number>;
  /** null: the group is not restricted to some networks (or hosts). */
  networkIds: Set<string> | null;
  hostIds: Set<string> | null;
}

export async function readCatalogue(db: Reader, groupId: number): Promise<GroupCatalogue> {
  const rows = await db.select().from(groupCatalogue).where(eq(groupCatalogue.groupId, groupId));
  const of = (kind: CatalogueKind) => rows.filter((r) => r.kind === kind).map((r) => r.itemId);
  const networks = of("network");
  const hostList = of("host");
  return {
    groupId,
    imageFamilies: new Set(of("image")),
    flavorIds: new Set(of("flavor").map(Number)),
    networkIds: networks.length ? new Set(networks) : null,
    hostIds: hostList.length ? new Set(hostList) : null,
  };
}

export function catalogueAllowsImage(
  cat: GroupCatalogue,
  actor: Actor,
  image: Pick<ImageRow, "id" | "familyId" | "groupId" | "ownerId" | "visibility">,
): boolean {
  if (image.visibility === "public" && cat.imageFamilies.has(familyOf(image))) return true;
  if (image.visibility === "group" && image.groupId === cat.groupId) return true;
  return image.visibility === "private" && image.ownerId === actor.id && actor.role !== "user";
}

export function catalogueAllowsFlavor(
  cat: GroupCatalogue,
  flavor: Pick<FlavorRow, "id" | "groupId">,
): boolean {
  return flavor.groupId === cat.groupId || (flavor.groupId === null && cat.flavorIds.has(flavor.id));
}

export function catalogueAllowsNetwork(cat: GroupCatalogue, networkId: string): boolean {
  return cat.networkIds === null || cat.networkIds.has(networkId);
}

/**
 * The launch rule for everyone but superAdm: a group of theirs, and an image, flavor and networks its
 * catalogue allows. Returns the catalogue (placement reads its hosts), or null for superAdm's launches.
 */
export async function assertLaunchAllowed(
  db: Reader,
  actor: Actor,
  groupId: number | null,
  what: {
    image: Pick<ImageRow, "id" | "name" | "familyId" | "groupId" | "ownerId" | "visibility">;
    flavor: Pick<FlavorRow, "id" | "name" | "groupId">;
    networkIds: string[];
  },
): Promise<GroupCatalogue | null> {
  if (actor.role === "superAdm") return groupId === null ? null : readCatalogue(db, groupId);
  if (groupId === null || !actor.groupIds.includes(groupId))
    throw new DomainError("FORBIDDEN", msg("catalogue.launchInYourGroup"), {
      groupId: msg("field.notYourGroup"),
    });
  const cat = await readCatalogue(db, groupId);
  const [g] = await db
    .select({ name: groups.name })
    .from(groups)
    .where(and(eq(groups.id, groupId)));
  const group = g?.name ?? String(groupId);
  if (!catalogueAllowsImage(cat, actor, what.image))
    throw new DomainError("FORBIDDEN", msg("catalogue.imageNotAllowed", { image: what.image.name, group }), {
      imageId: msg("field.notInCatalogue"),
    });
  if (!catalogueAllowsFlavor(cat, what.flavor))
    throw new DomainError(
      "FORBIDDEN",
      msg("catalogue.flavorNotAllowed", { flavor: what.flavor.name, group }),
      {
        flavorId: msg("field.notInCatalogue"),
      },
    );
  for (const n of what.networkIds)
    if (!catalogueAllowsNetwork(cat, n))
      throw new DomainError("FORBIDDEN", msg("catalogue.networkNotAllowed", { group }), {
        nics: msg("field.notInCatalogue"),
      });
  return cat;
}
