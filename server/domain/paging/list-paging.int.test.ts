// Lists that scale: 10,000+ instance rows paged through with no row lost or repeated, each page read
// through an index (EXPLAIN), scope kept, tampered cursors refused. Rows only, no VMs.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { auditLog, images, instances, tasks, users, type InstanceState } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { instancePageQuery, listInstances } from "@/server/domain/instances/find-instances";
import { listInstancesInput } from "@/common/instances";
import { userPageQuery } from "@/server/domain/users/find-users";
import { listUsersInput } from "@/common/users";
import { imagePageQuery } from "@/server/domain/images/find-images";
import { listImagesInput } from "@/common/images";
import { taskPageQuery } from "@/server/domain/tasks/manage-tasks";
import { listTasksInput } from "@/common/tasks";
import { auditPageQuery } from "@/server/domain/audit/list-audit";
import { listAuditInput } from "@/common/audit";
import {
  contextFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";

const ROWS = 10_200;
let s: TestServices;
let prefix: string;
let superAdm: Actor, teacher: Actor, studentA: Actor, studentB: Actor, outsider: Actor;
/** id → the row's owner and state, as inserted. */
const made = new Map<string, { ownerId: number; groupId: number; state: InstanceState }>();

beforeAll(async () => {
  s = openTestServices();
  const [g, h] = [await makeGroup(s), await makeGroup(s)];
  superAdm = await makeUser(s, "superAdm", []);
  teacher = await makeUser(s, "powerAdm", [g]);
  studentA = await makeUser(s, "user", [g]);
  studentB = await makeUser(s, "user", [g]);
  outsider = await makeUser(s, "user", [h]);
  const [hostId, flavorId, imageId] = [await makeHost(s), await makeFlavor(s), await makeImageRow(s)];
  prefix = `pg${randomBytes(3).toString("hex")}`;
  const owners = [studentA, studentB, outsider];
  // Only 97 distinct creation times: many rows tie on the sort key, which the id must order.
  const base = Date.now() - 86_400_000;
  const rows = Array.from({ length: ROWS }, (_, n) => {
    const owner = owners[n % 3]!;
    const state: InstanceState = n % 10 === 0 ? "DELETED" : n % 7 === 0 ? "STOPPED" : "RUNNING";
    const id = randomUUID();
    made.set(id, { ownerId: owner.id, groupId: owner === outsider ? h : g, state });
    return {
      id,
      name: `${prefix}-${String(n % 1000).padStart(3, "0")}`,
      ownerId: owner.id,
      groupId: owner === outsider ? h : g,
      flavorId,
      imageId,
      vcpus: 1,
      memoryMiB: 256,
      diskGiB: 1,
      // A tenth on the host (its usage triggers run), the rest not placed: the list does not care.
      hostId: n % 10 === 1 ? hostId : null,
      state,
      createdAt: new Date(base + (n % 97) * 1000),
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await s.db.insert(instances).values(rows.slice(i, i + 1000));
  // Fresh statistics, so the optimizer's choice below is the one a settled table gets.
  await s.db.execute(sql`ANALYZE TABLE instances`);
}, 120_000);

afterAll(async () => {
  await s.close();
});

/** Every page of a list, following nextCursor; fails on a page that repeats an id. */
async function pageAll(
  actor: Actor,
  input: Record<string, unknown>,
): Promise<{ ids: string[]; totals: number[]; pages: number }> {
  const ctx = contextFor(s, actor);
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listInstances(ctx, listInstancesInput.parse({ ...input, cursor }));
    ids.push(...page.items.map((i) => i.id));
    totals.push(page.total);
    cursor = page.nextCursor ?? undefined;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (cursor);
  return { ids, totals, pages };
}

const expected = (keep: (r: { ownerId: number; groupId: number; state: InstanceState }) => boolean) =>
  [...made].filter(([, r]) => keep(r)).map(([id]) => id);

async function explain(query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  const [rows] = await s.pool.query(`EXPLAIN ${text}`, params);
  return rows as { table: string; type: string; key: string | null; Extra: string | null }[];
}

describe("instances.list at 10,000+ rows", () => {
  it("pages through every live row once, newest first, with a name filter (ties on the time)", async () => {
    const { ids, totals, pages } = await pageAll(superAdm, { search: prefix, limit: 437 });
    const want = expected((r) => r.state !== "DELETED");
    expect(want.length).toBeGreaterThan(9000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(want));
    expect(pages).toBe(Math.ceil(want.length / 437));
    expect(new Set(totals)).toEqual(new Set([want.length]));
  });

  it("pages by name ascending and by state filter with no row lost or repeated", async () => {
    const byName = await pageAll(superAdm, { search: prefix, sort: "name", order: "asc", limit: 500 });
    expect(byName.ids.length).toBe(new Set(byName.ids).size);
    expect(new Set(byName.ids)).toEqual(new Set(expected((r) => r.state !== "DELETED")));
    const stopped = await pageAll(superAdm, { search: prefix, state: "STOPPED", order: "asc", limit: 300 });
    expect(stopped.ids.length).toBe(new Set(stopped.ids).size);
    expect(new Set(stopped.ids)).toEqual(new Set(expected((r) => r.state === "STOPPED")));
  });

  it("keeps the sort order across page boundaries", async () => {
    const ctx = contextFor(s, superAdm);
    const first = await listInstances(
      ctx,
      listInstancesInput.parse({ search: prefix, sort: "name", order: "asc", limit: 50 }),
    );
    const second = await listInstances(
      ctx,
      listInstancesInput.parse({
        search: prefix,
        sort: "name",
        order: "asc",
        limit: 50,
        cursor: first.nextCursor,
      }),
    );
    const names = [...first.items, ...second.items].map((i) => i.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("reads the superAdm's first page through an index, without sorting the table or a join buffer", async () => {
    const ctx = contextFor(s, superAdm);
    for (const input of [{}, { sort: "name", order: "asc" }, { state: "RUNNING" }]) {
      const plan = await explain(instancePageQuery(ctx, listInstancesInput.parse(input)));
      expect(plan).toHaveLength(1);
      expect(plan[0]!.key, JSON.stringify(input)).toMatch(/^instances_/);
      expect(plan[0]!.Extra ?? "").not.toMatch(/filesort|join buffer|temporary/i);
    }
    // And a page after a cursor, too.
    const first = await listInstances(ctx, listInstancesInput.parse({ limit: 10 }));
    const next = await explain(
      instancePageQuery(ctx, listInstancesInput.parse({ cursor: first.nextCursor })),
    );
    expect(next[0]!.key).toMatch(/^instances_/);
    expect(next[0]!.Extra ?? "").not.toMatch(/filesort/i);
  });

  it("a powerAdm pages only their group's rows (and their own); a student only their own", async () => {
    const mineAndGroup = await pageAll(teacher, { search: prefix, limit: 500 });
    expect(new Set(mineAndGroup.ids)).toEqual(
      new Set(expected((r) => r.state !== "DELETED" && r.ownerId !== outsider.id)),
    );
    expect(mineAndGroup.totals[0]).toBe(mineAndGroup.ids.length);
    const own = await pageAll(studentA, { search: prefix, limit: 500 });
    expect(new Set(own.ids)).toEqual(
      new Set(expected((r) => r.state !== "DELETED" && r.ownerId === studentA.id)),
    );
    expect(own.totals[0]).toBe(own.ids.length);
    // Asking for someone else's rows by filter does not widen the scope.
    const other = await pageAll(studentA, { ownerId: studentB.id });
    expect(other.ids).toEqual([]);
    expect(other.totals[0]).toBe(0);
  });

  it("refuses a tampered cursor, and a cursor of another sort, as INVALID", async () => {
    const ctx = contextFor(s, superAdm);
    const first = await listInstances(ctx, listInstancesInput.parse({ search: prefix, limit: 5 }));
    const cursor = first.nextCursor!;
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Record<string, unknown>;
    const tampered = [
      "not a cursor!",
      `${cursor}x`,
      Buffer.from(JSON.stringify({ ...decoded, k: 12 })).toString("base64url"),
      Buffer.from(JSON.stringify({ ...decoded, k: "yesterday" })).toString("base64url"),
      Buffer.from(JSON.stringify({ ...decoded, s: "ownerId" })).toString("base64url"),
      Buffer.from("[1,2]").toString("base64url"),
    ];
    for (const c of tampered) {
      const err = await listInstances(ctx, listInstancesInput.parse({ search: prefix, cursor: c })).catch(
        (e: unknown) => e,
      );
      expect(err, c).toBeInstanceOf(DomainError);
      expect((err as DomainError).kind).toBe("INVALID");
      expect((err as DomainError).code).toBe("paging.badCursor");
    }
    const otherSort = await listInstances(
      ctx,
      listInstancesInput.parse({ search: prefix, sort: "name", order: "desc", cursor }),
    ).catch((e: unknown) => e);
    expect((otherSort as DomainError).kind).toBe("INVALID");
  });
});

describe("the other lists' first pages", () => {
  it("are read through an index without a filesort", { timeout: 120_000 }, async () => {
    // Enough rows that reading a whole table costs more than the index (on a few thousand short rows
    // the optimizer rightly reads and sorts them all).
    const n = Array.from({ length: 20_000 }, (_, i) => i);
    const at = (i: number) => new Date(Date.now() - 3_600_000 + (i % 50) * 1000);
    const tag = randomBytes(3).toString("hex");
    for (let i = 0; i < n.length; i += 1000) {
      const chunk = n.slice(i, i + 1000);
      await s.db.insert(users).values(
        chunk.map((k) => ({
          username: `pg-${tag}-${k}`,
          displayName: "x",
          passwordHash: "x",
          createdAt: at(k),
        })),
      );
      await s.db.insert(tasks).values(
        chunk.map((k) => ({
          id: randomUUID(),
          kind: "image.sync",
          targetType: "image",
          targetName: `pg-${tag}-${k}`,
          createdBy: superAdm.id,
          createdAt: at(k),
        })),
      );
      await s.db
        .insert(auditLog)
        .values(
          chunk.map((k) => ({ actorName: "pg", action: `pg.${tag}`, result: "success" as const, at: at(k) })),
        );
      await s.db.insert(images).values(
        chunk.slice(0, 250).map((k) => {
          // A first version is its own family, as imports make it.
          const id = randomUUID();
          return {
            id,
            familyId: id,
            name: `pg-${tag}-${k}`,
            sha256: randomBytes(32).toString("hex"),
            format: "qcow2" as const,
            sizeBytes: 1,
            virtualSizeBytes: 1,
            createdAt: at(k),
          };
        }),
      );
    }
    for (const table of ["users", "tasks", "audit_log", "images"])
      await s.db.execute(sql`ANALYZE TABLE ${sql.identifier(table)}`);
    const ctx = contextFor(s, superAdm);
    const plans = {
      users: await explain(userPageQuery(ctx, listUsersInput.parse({}), undefined)),
      usersByCreation: await explain(
        userPageQuery(ctx, listUsersInput.parse({ sort: "createdAt" }), undefined),
      ),
      images: await explain(imagePageQuery(ctx, listImagesInput.parse({}))),
      tasks: await explain(taskPageQuery(ctx, listTasksInput.parse({}))),
      audit: await explain(auditPageQuery(ctx, listAuditInput.parse({}))),
    };
    for (const [list, plan] of Object.entries(plans)) {
      expect(plan[0]!.key, `${list}: ${JSON.stringify(plan)}`).not.toBeNull();
      expect(plan[0]!.Extra ?? "", list).not.toMatch(/filesort|temporary/i);
    }
  });
});
