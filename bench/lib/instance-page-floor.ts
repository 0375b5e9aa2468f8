// bench:api's floor: one page of the instances list read with one plain SQL query through a mysql2 pool
// made like the portal's (server/db/client.ts) — the columns the page shows (an InstanceView: the row's
// own and the names of its host, image, flavor and owner), the caller's scope, the same ORDER BY and
// LIMIT as the list (created_at, id descending; one row more than the page, as the list reads to know
// whether another page follows) and the keyset after the previous page's last row. What the API does on
// top of this (resolving the caller, the total count, Next's routing, JSON) is what the ratio weighs.
// STRAIGHT_JOIN pins the join order a person would write: instances first, read backwards through
// (created_at, id) and stopped after the page. Left to itself, MariaDB starts from the 3-row flavors
// table and sorts every visible instance in a temporary table (≈ 200 ms a page here, the plan the issue
// measured for the old unpaged list): that would be a floor no one should measure against.
import type { Pool, RowDataPacket } from "mysql2/promise";

export interface FloorScope {
  /** null: every instance (superAdm); otherwise the powerAdm's own and their groups' instances. */
  powerAdm: { userId: number; adminGroupIds: number[] } | null;
}

export interface Keyset {
  createdAt: Date;
  id: string;
}

const COLUMNS = `i.id, i.name, i.state, i.task, i.progress, i.error_reason, i.accel, i.viewers, i.vcpus,
  i.memory_mib, i.disk_gib, i.host_id, h.name AS host_name, h.last_heartbeat_at, i.image_id,
  img.name AS image_name, i.flavor_id, f.name AS flavor_name, i.owner_id, u.username AS owner_name,
  i.group_id, i.batch_id, i.created_at, i.updated_at`;

/** The SQL and parameters of one page (after `after`, or the first page). */
export function floorPageQuery(scope: FloorScope, limit: number, after: Keyset | null) {
  const where = ["i.state <> 'DELETED'"];
  const params: unknown[] = [];
  if (scope.powerAdm) {
    // The instances policy for a powerAdm (server/domain/policies/instances.ts).
    where.push("((i.owner_id = ? AND i.kind <> 'desktop') OR i.group_id IN (?))");
    params.push(scope.powerAdm.userId, scope.powerAdm.adminGroupIds);
  }
  if (after) {
    where.push("(i.created_at < ? OR (i.created_at = ? AND i.id < ?))");
    params.push(after.createdAt, after.createdAt, after.id);
  }
  const sql = `SELECT STRAIGHT_JOIN ${COLUMNS}
    FROM instances i
    LEFT JOIN hosts h ON h.id = i.host_id
    JOIN images img ON img.id = i.image_id
    JOIN flavors f ON f.id = i.flavor_id
    JOIN users u ON u.id = i.owner_id
    WHERE ${where.join(" AND ")}
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT ${limit + 1}`;
  return { sql, params };
}

/** Reads one page; returns its rows (without the look-ahead row) and the keyset of its last row. */
export async function readFloorPage(
  pool: Pool,
  scope: FloorScope,
  limit: number,
  after: Keyset | null,
): Promise<{ ids: string[]; next: Keyset | null; rows: RowDataPacket[] }> {
  const { sql, params } = floorPageQuery(scope, limit, after);
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    ids: page.map((r) => r.id as string),
    next: rows.length > limit && last ? { createdAt: last.created_at as Date, id: last.id as string } : null,
    rows: page,
  };
}
