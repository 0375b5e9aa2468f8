"use client";
// The page of a kind of thing a teacher manages (labs, desktop profiles): a header with "New …", the
// table of what the caller may manage (or why it could not be read, or that there is none yet), and the
// create dialog, which opens the new one's page once saved.
import { useQueryClient, type QueryKey, type UseQueryResult } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Th, THead } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";

export interface CreateDialogProps {
  open: boolean;
  onClose: () => void;
  onSaved: (saved: { id: number }) => void;
}

export function ResourceList<T>({
  namespace,
  columns,
  list,
  listKey,
  pageOf,
  row,
  createDialog,
}: {
  /** Whose messages name the page (title, description, create, empty, emptyHint, caption). */
  namespace: "labs" | "profiles";
  columns: string[];
  list: UseQueryResult<T[], unknown>;
  listKey: QueryKey;
  /** The page a saved one opens. */
  pageOf: (id: number) => string;
  row: (item: T) => ReactNode;
  createDialog: (p: CreateDialogProps) => ReactNode;
}) {
  const t = useTranslations(namespace);
  const tc = useTranslations("common");
  const router = useRouter();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={<Button onClick={() => setCreating(true)}>{t("create")}</Button>}
      />
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : list.data?.length === 0 ? (
        <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
      ) : (
        <Table caption={t("caption")}>
          <THead>
            {columns.map((c) => (
              <Th key={c}>{c}</Th>
            ))}
          </THead>
          <TBody>
            {list.isPending ? (
              <TableMessage colSpan={columns.length}>{tc("loading")}</TableMessage>
            ) : (
              list.data.map(row)
            )}
          </TBody>
        </Table>
      )}
      {createDialog({
        open: creating,
        onClose: () => setCreating(false),
        onSaved: (saved) => {
          // Other pages (a lab's profile choices, a profile's labs) read the list: it has one more now.
          void queryClient.invalidateQueries({ queryKey: listKey });
          router.push(pageOf(saved.id));
        },
      })}
    </>
  );
}

/** The name cell's link to the thing's page. */
export function NameLink({ href, name }: { href: string; name: string }) {
  return (
    <Link href={href} className="text-indigo-700 hover:underline dark:text-indigo-300">
      <Truncated text={name} />
    </Link>
  );
}

/** The owner group in a table cell; none: public. */
export function GroupName({ group, publicLabel }: { group: { name: string } | null; publicLabel: string }) {
  return group ? <Truncated text={group.name} /> : <Badge>{publicLabel}</Badge>;
}
