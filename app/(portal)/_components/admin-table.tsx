"use client";
// The table of an admin list (clusters, hosts, terminals): why it could not be read (with Try again),
// loading, an empty message inside the table (its columns still say what would be listed), the rows;
// and a row's action buttons, of which each page shows only those the caller's role may use.
import type { UseQueryResult } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Button, type ButtonVariant } from "@/app/_components/button";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead } from "@/app/_components/table";

export interface AdminColumn {
  label: string;
  className?: string;
}

export function AdminTable<T>({
  caption,
  query,
  columns,
  empty,
  row,
  dense = false,
}: {
  caption: string;
  query: UseQueryResult<T[], unknown>;
  /** false: a column the caller's role does not see (e.g. the actions). */
  columns: (AdminColumn | false)[];
  empty: ReactNode;
  row: (item: T) => ReactNode;
  /** Narrower cell padding, for a table of many columns that must fit a laptop screen (hosts). */
  dense?: boolean;
}) {
  const tc = useTranslations("common");
  const shown = columns.filter((c): c is AdminColumn => c !== false);
  // A list already on screen stays when a refresh fails; the page says so above it.
  if (query.isError && !query.data)
    return (
      <QueryError error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
    );
  return (
    <Table caption={caption} className={dense ? "[&_td]:px-3 [&_th]:px-3" : ""}>
      <THead>
        {shown.map((c) => (
          <Th key={c.label} className={c.className}>
            {c.label}
          </Th>
        ))}
      </THead>
      <TBody>
        {query.isPending ? (
          <TableMessage colSpan={shown.length}>{tc("loading")}</TableMessage>
        ) : query.data?.length === 0 ? (
          <TableMessage colSpan={shown.length}>{empty}</TableMessage>
        ) : (
          query.data?.map(row)
        )}
      </TBody>
    </Table>
  );
}

export interface RowAction {
  label: string;
  onClick: () => void;
  variant?: ButtonVariant;
  /** For a screen reader, when the label alone does not say which row (e.g. "Delete cluster x"). */
  ariaLabel?: string;
  busy?: boolean;
  className?: string;
}

/**
 * The last cell of a row: its buttons, right-aligned; `stacked` puts them one under the other (a wide
 * table whose other columns need the room), all as wide as the widest. Buttons never wrap their own
 * label (a Chinese one would break character by character).
 */
export function ActionsCell({
  actions,
  stacked = false,
}: {
  /** false: an action the caller may not take, or not in this row's state. */
  actions: (RowAction | false)[];
  stacked?: boolean;
}) {
  return (
    <Td className="text-right">
      {/* Stacked buttons share the widest one's width: a ragged column reads as misaligned. */}
      <div
        className={
          stacked ? "inline-flex flex-col items-stretch gap-1.5" : "flex flex-wrap justify-end gap-1.5"
        }
      >
        {actions
          .filter((a): a is RowAction => a !== false)
          .map((a) => (
            <Button
              key={a.label}
              size="sm"
              variant={a.variant ?? "ghost"}
              className={`whitespace-nowrap ${a.className ?? ""}`}
              aria-label={a.ariaLabel}
              busy={a.busy}
              onClick={a.onClick}
            >
              {a.label}
            </Button>
          ))}
      </div>
    </Td>
  );
}
