// One way to ask for a page of any long list (instances, users, images, audit, tasks), shared by the
// browser (sort choices, page size) and the server. The server pages by keyset: the cursor names the
// last row's sort key and id, so rows arriving meanwhile never shift or repeat a page.
import { z } from "zod";

export const PAGE_LIMIT_MAX = 500;
export const PAGE_LIMIT_DEFAULT = 50;
export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/**
 * The paging part of a list's input. `sorts` are the columns an index serves for that list (nothing
 * else can be sorted on: a sort without an index reads and sorts every visible row).
 */
export function pageInput<const S extends readonly [string, ...string[]]>(
  sorts: S,
  defaults: { sort: S[number]; order: SortOrder },
) {
  return z.object({
    limit: z.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
    /** Opaque: the `nextCursor` of the previous page, asked with the same sort and order. */
    cursor: z.string().min(1).max(1024).optional(),
    sort: z.enum(sorts).default(defaults.sort as never),
    order: z.enum(SORT_ORDERS).default(defaults.order),
  });
}

/** Every paged list answers this: `total` counts the rows matching the filter within the caller's scope. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** The output schema of a paged list, from its item's schema. */
export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z.number().int().min(0),
  });
}

/** A search text for a list: trimmed, empty means none. */
export const searchText = z
  .string()
  .trim()
  .max(64)
  .optional()
  .transform((s) => s || undefined);
