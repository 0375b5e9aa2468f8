"use client";
// A column header that sorts the table it heads (client-side: the lists are every user and group of
// one school, small enough to hold in the page).
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Th } from "@/app/_components/table";

export interface SortState {
  column: string;
  dir: "asc" | "desc";
}

export function SortHeader({
  column,
  sort,
  onSort,
  children,
  className = "",
}: {
  className?: string;
  column: string;
  sort: SortState;
  onSort: (s: SortState) => void;
  children: ReactNode;
}) {
  const t = useTranslations("usage");
  const active = sort.column === column;
  return (
    <Th className={className} aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-indigo-700 dark:hover:text-indigo-300"
        onClick={() => onSort({ column, dir: active && sort.dir === "asc" ? "desc" : "asc" })}
        title={t("sortBy")}
      >
        {children}
        {/* Only the sorted column shows its arrow: ten columns of idle arrows would not fit the width. */}
        {active && <span aria-hidden>{sort.dir === "desc" ? "▼" : "▲"}</span>}
      </button>
    </Th>
  );
}

/** Quota columns are many: tighter cells keep a table of ten of them within a laptop's width. */
export const COMPACT = "px-2!";

/** Sorted copy: numbers as numbers, text by locale; ties keep their order. */
export function sortRows<T>(
  rows: readonly T[],
  sort: SortState,
  valueOf: (row: T, column: string) => string | number | null | undefined,
): T[] {
  const sign = sort.dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = valueOf(a, sort.column);
    const y = valueOf(b, sort.column);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (
      sign * (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)))
    );
  });
}
