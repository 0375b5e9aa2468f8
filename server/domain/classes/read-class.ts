import { and, asc, count, eq, inArray, ne } from "drizzle-orm";
import { groups, instances, memberships, users, type GroupRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { listInstancesOfGroup, type InstanceView } from "../instances/find-instances";
import { visibleRowsOf } from "../policies/authorize";
import { describeCatalogue, type CatalogueView } from "./class-catalogue";
import { loadClass } from "./load-class";

export interface ClassSummary {
  id: number;
  name: string;
  kind: GroupRow["kind"];
  description: string;
  memberCount: number;
  machineCount: number;
}

export interface ClassMember {
  id: number;
  username: string;
  displayName: string;
  role: string;
  disabled: boolean;
  isAdmin: boolean;
}

export interface ClassDetail extends ClassSummary {
  members: ClassMember[];
  catalogue: CatalogueView;
  machines: InstanceView[];
  /** The class's deployments ("one per member"), newest first, with how many machines each still has. */
  deployments: { batchId: string; machines: number; createdAt: Date }[];
}

/** The groups the caller administers (superAdm: all). */
export async function listClasses(ctx: DomainContext): Promise<ClassSummary[]> {
  const actor = requireActor(ctx);
  const visible = visibleRowsOf(actor, "classes", ctx.db);
  if (visible === null) return [];
  const rows = await ctx.db
    .select({
      id: groups.id,
      name: groups.name,
      kind: groups.kind,
      description: groups.description,
      memberCount: count(memberships.userId),
    })
    .from(groups)
    .leftJoin(memberships, eq(memberships.groupId, groups.id))
    .where(visible)
    .groupBy(groups.id)
    .orderBy(asc(groups.name));
  const ids = rows.map((r) => r.id);
  const machines = ids.length
    ? await ctx.db
        .select({ groupId: instances.groupId, n: count() })
        .from(instances)
        .where(and(inArray(instances.groupId, ids), ne(instances.state, "DELETED")))
        .groupBy(instances.groupId)
    : [];
  return rows.map((r) => ({
    ...r,
    memberCount: Number(r.memberCount),
    machineCount: Number(machines.find((m) => m.groupId === r.id)?.n ?? 0),
  }));
}

export async function readClass(ctx: DomainContext, id: number): Promise<ClassDetail> {
  const actor = requireActor(ctx);
  const group = await loadClass(ctx.db, actor, id);
  const members = await ctx.db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      disabled: users.disabled,
      isAdmin: memberships.isAdmin,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.groupId, id))
    .orderBy(asc(users.username));
  // By machine name (a deployment names them after their student), so a teacher finds a student's.
  const machines = (await listInstancesOfGroup(ctx, id)).sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  const batches = new Map<string, { batchId: string; machines: number; createdAt: Date }>();
  for (const m of machines) {
    if (!m.batchId) continue;
    const b = batches.get(m.batchId) ?? { batchId: m.batchId, machines: 0, createdAt: m.createdAt };
    b.machines++;
    if (m.createdAt < b.createdAt) b.createdAt = m.createdAt;
    batches.set(m.batchId, b);
  }
  return {
    id: group.id,
    name: group.name,
    kind: group.kind,
    description: group.description,
    memberCount: members.length,
    machineCount: machines.length,
    members,
    catalogue: await describeCatalogue(ctx.db, id),
    machines,
    deployments: [...batches.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
  };
}
