// Keyset pagination: a page is "the next `limit` rows after this key in this order", read through an
// index on (sort column, id). The id breaks ties, so rows with equal sort values are neither lost nor
// repeated, and new rows never shift a page the way OFFSET would. Rows are read one more than the
// limit to know whether another page exists without counting.
import { and, asc, desc, eq, gt, lt, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { z } from "zod";
import { msg } from "@/common/message";
import type { SortOrder } from "@/common/paging";
import { DomainError } from "../errors";

type KeyKind = "string" | "number" | "date";
type KeyValue = string | number | Date;

export interface KeyColumn {
  column: AnyColumn;
  kind: KeyKind;
  /**
   * Unique by itself (a unique index): no id is needed to break ties, and none may be asked for —
   * MariaDB extends only non-unique indexes with the primary key, so `ORDER BY username, id` would sort.
   */
  unique?: boolean;
}

/**
 * A list's keyset: the sortable columns by sort name (the row property read for the cursor has the same
 * name) and the id column (row property `id`).
 */
export interface Keyset<S extends string> {
  sorts: Record<S, KeyColumn>;
  id: KeyColumn;
}

export interface PageRequest<S extends string> {
  sort: S;
  order: SortOrder;
  limit: number;
  cursor?: string;
}

const cursorShape = z.object({
  s: z.string(),
  o: z.enum(["asc", "desc"]),
  k: z.union([z.string().max(512), z.number()]),
  i: z.union([z.string().max(128), z.number()]),
});

const badCursor = () =>
  new DomainError("INVALID", msg("paging.badCursor"), { cursor: msg("paging.badCursor") });

function encodeValue(v: unknown, kind: KeyKind): string | number {
  if (kind === "date") return (v as Date).toISOString();
  if (kind === "number") return v as number;
  return String(v);
}

function decodeValue(v: string | number, kind: KeyKind): KeyValue {
  if (kind === "number") {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw badCursor();
    return v;
  }
  if (typeof v !== "string") throw badCursor();
  if (kind === "date") {
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw badCursor();
    return d;
  }
  return v;
}

export function encodeCursor(
  sort: string,
  order: SortOrder,
  key: string | number,
  id: string | number,
): string {
  return Buffer.from(JSON.stringify({ s: sort, o: order, k: key, i: id })).toString("base64url");
}

/** The cursor's key, checked against the list's keyset and the sort asked now; anything else is refused. */
export function decodeCursor<S extends string>(
  keyset: Keyset<S>,
  page: Pick<PageRequest<S>, "sort" | "order">,
  cursor: string,
): { key: KeyValue; id: KeyValue } {
  let raw: unknown;
  try {
    const bytes = Buffer.from(cursor, "base64url");
    // Node decodes leniently (stray characters are dropped): only the exact encoding is a cursor.
    if (bytes.toString("base64url") !== cursor) throw badCursor();
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw badCursor();
  }
  const parsed = cursorShape.safeParse(raw);
  // A cursor of another sort or order would resume at a meaningless place: refused, not guessed at.
  if (!parsed.success || parsed.data.s !== page.sort || parsed.data.o !== page.order) throw badCursor();
  return {
    key: decodeValue(parsed.data.k, keyset.sorts[page.sort].kind),
    id: decodeValue(parsed.data.i, keyset.id.kind),
  };
}

/**
 * The WHERE part after the cursor, the ORDER BY and the LIMIT of one page. `(k, id) after (K, I)` is
 * spelled as `k > K OR (k = K AND id > I)`: MariaDB turns that into index ranges, a row-value comparison
 * it does not always.
 */
export function pageClauses<S extends string>(keyset: Keyset<S>, page: PageRequest<S>) {
  const { column: key, unique } = keyset.sorts[page.sort];
  const id = keyset.id.column;
  const dir = page.order === "asc" ? asc : desc;
  let after: SQL | undefined;
  if (page.cursor) {
    const c = decodeCursor(keyset, page, page.cursor);
    const beyond = page.order === "asc" ? gt : lt;
    after = unique ? beyond(key, c.key) : or(beyond(key, c.key), and(eq(key, c.key), beyond(id, c.id)));
  }
  return { after, orderBy: unique ? [dir(key)] : [dir(key), dir(id)], limit: page.limit + 1 };
}

/** Cuts the extra row off and names the cursor of the next page (null on the last page). */
export function finishPage<S extends string, R extends { id: string | number }>(
  keyset: Keyset<S>,
  page: PageRequest<S>,
  rows: R[],
): { items: R[]; nextCursor: string | null } {
  if (rows.length <= page.limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1]!;
  const value = (last as unknown as Record<string, unknown>)[page.sort];
  return {
    items,
    nextCursor: encodeCursor(
      page.sort,
      page.order,
      encodeValue(value, keyset.sorts[page.sort].kind),
      last.id,
    ),
  };
}

/** One COUNT over the same filter (scope and filters, not the cursor): the total the lists show. */
export const countAll = sql<number>`count(*)`.mapWith(Number);

/** `LIKE` text with its wildcards escaped: what people type is matched literally. */
export const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
