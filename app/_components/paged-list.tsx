"use client";
// The parts every paged list shares: a column header that sorts on the server, and the footer with how
// many rows are shown of how many match, and "Load more" (the server pages by cursor; see common/paging.ts).
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { SortOrder } from "@/common/paging";
import { Button } from "./button";
import { Th } from "./table";

export interface SortState<S extends string> {
  sort: S;
  order: SortOrder;
}

/** A header that sorts by its column: a first click sorts it (in its natural order), the next reverses. */
export function SortableTh<S extends string>({
  column,
  state,
  onSort,
  firstOrder = "asc",
  children,
  className,
}: {
  column: S;
  state: SortState<S>;
  onSort: (next: SortState<S>) => void;
  firstOrder?: SortOrder;
  children: ReactNode;
  className?: string;
}) {
  const t = useTranslations("list");
  const active = state.sort === column;
  const next: SortOrder = active ? (state.order === "asc" ? "desc" : "asc") : firstOrder;
  return (
    <Th
      className={className}
      aria-sort={active ? (state.order === "asc" ? "ascending" : "descending") : undefined}
    >
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-indigo-700 dark:hover:text-indigo-300"
        title={t(next === "asc" ? "sortAsc" : "sortDesc")}
        onClick={() => onSort({ sort: column, order: next })}
      >
        {children}
        <span aria-hidden className={active ? "" : "opacity-30"}>
          {active && state.order === "desc" ? "↓" : "↑"}
        </span>
      </button>
    </Th>
  );
}

/** "12 of 10,200 shown" and the button for the next page (or "That is all."). */
export function PageFooter({
  shown,
  total,
  query,
}: {
  shown: number;
  total: number | undefined;
  /** The list's infinite query: whether a next page exists, is loading, and how to ask for it. */
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  const t = useTranslations("list");
  const hasMore = query.hasNextPage;
  if (total === undefined) return null;
  return (
    <div
      className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-500 dark:text-slate-400"
      data-testid="page-footer"
    >
      <span>{t("shownOf", { shown, total })}</span>
      {hasMore ? (
        <Button
          variant="secondary"
          busy={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {t("loadMore")}
        </Button>
      ) : (
        shown > 0 && <span>{t("end")}</span>
      )}
    </div>
  );
}
