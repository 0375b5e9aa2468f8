import { and, desc, eq, inArray, like, ne, type SQL } from "drizzle-orm";
import type { INSTANCE_SORTS, ListInstancesInput } from "@/common/instances";
import type { Page } from "@/common/paging";
import { flavors, hosts, images, instanceEvents, instances, users, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { notFound } from "../errors";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { isHostUp } from "../hosts/find-hosts";
import { countAll, finishPage, likeEscaped, pageClauses, type Keyset } from "../paging/keyset";

export interface InstanceView {
  id: string;
  name: string;
  state: InstanceRow["state"];
  task: string | null;
  progress: number | null;
  errorReason: string | null;
  accel: InstanceRow["accel"];
  /** Console viewers connected now (from the host's heartbeat). */
  viewers: number;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  host: { id: string; name: string; up: boolean } | null;
  image: { id: string; name: string };
  flavor: { id: number; name: string };
  owner: { id: number; username: string };
  groupId: number | null;
  /** A class deployment's id ("one per member"), removed together. */
  batchId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

async function selectViews(
  db: Database,
  where: SQL | undefined,
  downAfterSeconds: number,
): Promise<InstanceView[]> {
  const rows = await db
    .select({
      i: instances,
      hostName: hosts.name,
      hostBeat: hosts.lastHeartbeatAt,
      imageName: images.name,
      flavorName: flavors.name,
      ownerName: users.username,
    })
    .from(instances)
    .leftJoin(hosts, eq(hosts.id, instances.hostId))
    .innerJoin(images, eq(images.id, instances.imageId))
    .innerJoin(flavors, eq(flavors.id, instances.flavorId))
    .innerJoin(users, eq(users.id, instances.ownerId))
    .where(where)
    // No cap: callers ask for one page's ids, one instance, a batch just made or one group's machines.
    .orderBy(desc(instances.createdAt), desc(instances.id));
  const now = new Date();
  return rows.map(({ i, ...r }) => ({
    id: i.id,
    name: i.name,
    state: i.state,
    task: i.task,
    progress: i.progress,
    errorReason: i.errorReason,
    accel: i.accel,
    viewers: i.viewers,
    vcpus: i.vcpus,
    memoryMiB: i.memoryMiB,
    diskGiB: i.diskGiB,
    host:
      i.hostId && r.hostName
        ? { id: i.hostId, name: r.hostName, up: isHostUp(r.hostBeat, now, downAfterSeconds) }
        : null,
    image: { id: i.imageId, name: r.imageName },
    flavor: { id: i.flavorId, name: r.flavorName },
    owner: { id: i.ownerId, username: r.ownerName },
    groupId: i.groupId,
    batchId: i.batchId,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  }));
}

const INSTANCE_KEYSET: Keyset<(typeof INSTANCE_SORTS)[number]> = {
  sorts: {
    createdAt: { column: instances.createdAt, kind: "date" },
    name: { column: instances.name, kind: "string" },
  },
  id: { column: instances.id, kind: "string" },
};

/** The caller's scope and the list's filters: what both the page and its total count read. */
function listFilter(ctx: DomainContext, input: ListInstancesInput): SQL | undefined {
  const actor = requireActor(ctx);
  return and(
    visibleRowsOf(actor, "instances", ctx.db) ?? undefined,
    input.includeDeleted ? undefined : ne(instances.state, "DELETED"),
    input.state ? eq(instances.state, input.state) : undefined,
    input.ownerId ? eq(instances.ownerId, input.ownerId) : undefined,
    input.groupId ? eq(instances.groupId, input.groupId) : undefined,
    input.search ? like(instances.name, `%${likeEscaped(input.search)}%`) : undefined,
  );
}

/**
 * One page's rows, read from `instances` alone through an index on the sort column (exported so a test
 * can EXPLAIN it). The names of image, flavor, host and owner are joined afterwards for these rows only:
 * joined into the page query, MariaDB may start from a small table and sort every visible row.
 */
export function instancePageQuery(ctx: DomainContext, input: ListInstancesInput) {
  const page = pageClauses(INSTANCE_KEYSET, input);
  return ctx.db
    .select({ id: instances.id, createdAt: instances.createdAt, name: instances.name })
    .from(instances)
    .where(and(listFilter(ctx, input), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit);
}

export async function listInstances(
  ctx: DomainContext,
  input: ListInstancesInput,
): Promise<Page<InstanceView>> {
  const [keys, [count]] = await Promise.all([
    instancePageQuery(ctx, input),
    ctx.db.select({ n: countAll }).from(instances).where(listFilter(ctx, input)),
  ]);
  const { items, nextCursor } = finishPage(INSTANCE_KEYSET, input, keys);
  return {
    items: await viewsInOrder(
      ctx,
      items.map((k) => k.id),
    ),
    nextCursor,
    total: count?.n ?? 0,
  };
}

async function viewsInOrder(ctx: DomainContext, ids: string[]): Promise<InstanceView[]> {
  if (!ids.length) return [];
  const views = await selectViews(ctx.db, inArray(instances.id, ids), ctx.settings.hostDownAfterSeconds);
  const byId = new Map(views.map((v) => [v.id, v]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The live machines managed in a group, for its class page: the caller (the group's admin, checked by
 * the classes policy before this) reaches every one of them by the instances policy too.
 */
export async function listInstancesOfGroup(ctx: DomainContext, groupId: number): Promise<InstanceView[]> {
  return selectViews(
    ctx.db,
    and(eq(instances.groupId, groupId), ne(instances.state, "DELETED")),
    ctx.settings.hostDownAfterSeconds,
  );
}

/** The raw row after the access check; used by every action. */
export async function loadInstanceForActor(ctx: DomainContext, id: string): Promise<InstanceRow> {
  const actor = requireActor(ctx);
  const [row] = await ctx.db.select().from(instances).where(eq(instances.id, id));
  if (!row) throw notFound("instance");
  assertMayActOn(actor, "instances", row);
  return row;
}

export async function getInstance(ctx: DomainContext, id: string): Promise<InstanceView> {
  await loadInstanceForActor(ctx, id);
  return (await selectViews(ctx.db, eq(instances.id, id), ctx.settings.hostDownAfterSeconds))[0]!;
}

/**
 * Views of instances the caller has just made (a batch may be made for other owners, whom the creator
 * need not be able to act for): no access check, in the order of `ids`.
 */
export async function viewsOfCreated(ctx: DomainContext, ids: string[]): Promise<InstanceView[]> {
  return viewsInOrder(ctx, ids);
}

export async function listInstanceEvents(ctx: DomainContext, id: string) {
  await loadInstanceForActor(ctx, id);
  return ctx.db
    .select()
    .from(instanceEvents)
    .where(eq(instanceEvents.instanceId, id))
    .orderBy(desc(instanceEvents.id))
    .limit(200);
}
