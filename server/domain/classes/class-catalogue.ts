// A class's catalogue as its teachers edit it (the rule that reads it at launch is groups/catalogue.ts).
// Listed: public images (by family) and public flavors; the group's own images and flavors are in without
// being listed. Networks and hosts restrict when at least one is listed; only superAdm restricts hosts
// (teachers do not see the hosts).
import { and, asc, eq, inArray, isNull, or } from "drizzle-orm";
import type { z } from "zod";
import { msg } from "@/common/message";
import type { setCatalogueInput } from "@/common/classes";
import type { CatalogueKind } from "@/common/groups";
import { flavors, groupCatalogue, hosts, images, networks } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { familyOf } from "../images/find-images";
import { readCatalogue } from "../groups/catalogue";
import { loadClass } from "./load-class";

type Reader = Pick<Database, "select">;

export interface CatalogueView {
  /** Listed public images (newest version of each family) and the group's own images. */
  images: { familyId: string; id: string; name: string; own: boolean }[];
  flavors: { id: number; name: string; vcpus: number; memoryMiB: number; diskGiB: number; own: boolean }[];
  /** Empty: not restricted. */
  networks: { id: string; name: string; cidr: string }[];
  hosts: { id: string; name: string }[];
}

export async function describeCatalogue(db: Reader, groupId: number): Promise<CatalogueView> {
  const cat = await readCatalogue(db, groupId);
  const families = [...cat.imageFamilies];
  const imageRows = await db
    .select()
    .from(images)
    .where(
      and(
        isNull(images.deletedAt),
        or(
          and(eq(images.visibility, "group"), eq(images.groupId, groupId)),
          families.length
            ? and(
                eq(images.visibility, "public"),
                or(inArray(images.id, families), inArray(images.familyId, families)),
              )
            : undefined,
        ),
      ),
    )
    .orderBy(asc(images.name));
  const newest = new Map<string, (typeof imageRows)[number]>();
  for (const r of imageRows) {
    const seen = newest.get(familyOf(r));
    if (!seen || seen.version < r.version) newest.set(familyOf(r), r);
  }
  const flavorIds = [...cat.flavorIds];
  const flavorRows = await db
    .select()
    .from(flavors)
    .where(or(eq(flavors.groupId, groupId), flavorIds.length ? inArray(flavors.id, flavorIds) : undefined))
    .orderBy(asc(flavors.vcpus), asc(flavors.memoryMiB), asc(flavors.name));
  const networkRows = cat.networkIds
    ? await db
        .select({ id: networks.id, name: networks.name, cidr: networks.cidr })
        .from(networks)
        .where(inArray(networks.id, [...cat.networkIds]))
        .orderBy(asc(networks.name))
    : [];
  const hostRows = cat.hostIds
    ? await db
        .select({ id: hosts.id, name: hosts.name })
        .from(hosts)
        .where(inArray(hosts.id, [...cat.hostIds]))
        .orderBy(asc(hosts.name))
    : [];
  return {
    images: [...newest.entries()].map(([familyId, r]) => ({
      familyId,
      id: r.id,
      name: r.name,
      own: r.visibility === "group",
    })),
    flavors: flavorRows.map((f) => ({
      id: f.id,
      name: f.name,
      vcpus: f.vcpus,
      memoryMiB: f.memoryMiB,
      diskGiB: f.diskGiB,
      own: f.groupId === groupId,
    })),
    networks: networkRows,
    hosts: hostRows,
  };
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/**
 * Replaces the lists the input names (the others stay). Every item is checked first: a public image
 * (stored as its family, so a new version stays allowed), a public flavor, a tenant network (any for
 * superAdm), a host. All lists change in one transaction under the group's row lock.
 */
export async function setCatalogue(
  ctx: DomainContext,
  input: z.output<typeof setCatalogueInput>,
): Promise<CatalogueView> {
  const actor = requireActor(ctx);
  await loadClass(ctx.db, actor, input.id);
  const next = new Map<CatalogueKind, string[]>();

  if (input.imageIds) {
    const ids = [...new Set(input.imageIds)];
    const rows = ids.length ? await ctx.db.select().from(images).where(inArray(images.id, ids)) : [];
    for (const id of ids) {
      const r = rows.find((x) => x.id === id);
      if (!r || r.deletedAt !== null || r.visibility !== "public")
        throw new DomainError("INVALID", msg("classes.imageNotPublic", { image: r?.name ?? id }), {
          imageIds: msg("classes.fieldPublicOnly"),
        });
    }
    next.set("image", [...new Set(rows.map(familyOf))]);
  }
  if (input.flavorIds) {
    const ids = [...new Set(input.flavorIds)];
    const rows = ids.length ? await ctx.db.select().from(flavors).where(inArray(flavors.id, ids)) : [];
    for (const id of ids) {
      const r = rows.find((x) => x.id === id);
      // Another group's flavor is theirs; the group's own is in without being listed.
      if (!r || r.groupId !== null)
        throw new DomainError("INVALID", msg("classes.flavorNotPublic", { flavor: r?.name ?? String(id) }), {
          flavorIds: msg("classes.fieldPublicOnly"),
        });
    }
    next.set(
      "flavor",
      ids.map((id) => String(id)),
    );
  }
  if (input.networkIds) {
    const ids = [...new Set(input.networkIds)];
    const rows = ids.length ? await ctx.db.select().from(networks).where(inArray(networks.id, ids)) : [];
    if (rows.length !== ids.length || (actor.role !== "superAdm" && rows.some((n) => n.kind !== "tenant")))
      throw new DomainError("INVALID", msg("instances.unknownNetwork"), {
        networkIds: msg("field.unknownNetwork"),
      });
    next.set("network", ids);
  }
  if (input.hostIds) {
    const ids = [...new Set(input.hostIds)];
    if (actor.role !== "superAdm") {
      // Teachers cannot see hosts: they may send the list back unchanged (a form saving everything).
      const current = (await readCatalogue(ctx.db, input.id)).hostIds ?? new Set<string>();
      if (!sameSet(current, ids)) throw new DomainError("FORBIDDEN", msg("classes.hostsAreSuperAdms"));
    } else {
      const rows = ids.length ? await ctx.db.select().from(hosts).where(inArray(hosts.id, ids)) : [];
      if (rows.length !== ids.length)
        throw new DomainError("INVALID", msg("classes.unknownHost"), { hostIds: msg("field.unknownHost") });
      next.set("host", ids);
    }
  }

  await ctx.db.transaction(async (tx) => {
    await loadClass(tx, actor, input.id, true);
    for (const [kind, itemIds] of next) {
      await tx
        .delete(groupCatalogue)
        .where(and(eq(groupCatalogue.groupId, input.id), eq(groupCatalogue.kind, kind)));
      if (itemIds.length)
        await tx
          .insert(groupCatalogue)
          .values(itemIds.map((itemId) => ({ groupId: input.id, kind, itemId })));
    }
  });
  return describeCatalogue(ctx.db, input.id);
}
