"use client";
// The page of one lab or desktop profile: the way back to the list, its header, the outcome of the
// last action, and deleting it. The cards between are each page's own.
import { useQueryClient, type QueryKey, type UseQueryResult } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";

/** What the last action on the page came to, shown above the cards. */
export type Flash = { tone: "success" | "error"; text: string } | null;

/** Until the detail is read: its error (with a retry where that may help), or "Loading…". */
export function DetailPending({ query }: { query: UseQueryResult<unknown, unknown> }) {
  const tc = useTranslations("common");
  return query.isError ? (
    <QueryError error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
  ) : (
    <p className="text-sm text-slate-500">{tc("loading")}</p>
  );
}

export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <p className="mb-2 text-sm">
      <Link href={href} className="text-indigo-700 hover:underline dark:text-indigo-300">
        {children}
      </Link>
    </p>
  );
}

/** The owner group in a header; none: public. */
export function GroupBadge({ group, publicLabel }: { group: { name: string } | null; publicLabel: string }) {
  return group ? <Badge tone="info">{group.name}</Badge> : <Badge>{publicLabel}</Badge>;
}

export function FlashAlert({ flash }: { flash: Flash }) {
  return flash ? (
    <Alert tone={flash.tone} className="mb-4" data-testid="flash">
      {flash.text}
    </Alert>
  ) : null;
}

/**
 * The detail's cache and the list's: `show` puts a saved state in place (the server answered with it),
 * `refresh` reads both again. The list is invalidated either way: its rows summarise the detail.
 */
export function useDetailCache<T>(detailKey: QueryKey, listKey: QueryKey) {
  const queryClient = useQueryClient();
  return {
    show: (saved: T) => {
      queryClient.setQueryData(detailKey, saved);
      void queryClient.invalidateQueries({ queryKey: listKey });
    },
    refresh: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: detailKey }),
        queryClient.invalidateQueries({ queryKey: listKey }),
      ]),
  };
}

/** Asks before deleting; deleted, back to the list; refused, the reason goes to the page's flash. */
export function DeleteDialog({
  open,
  onClose,
  text,
  remove,
  id,
  listKey,
  listHref,
  onFlash,
}: {
  open: boolean;
  onClose: () => void;
  text: { title: string; body: string; confirm: string };
  remove: {
    isPending: boolean;
    mutate: (input: { id: number }, o: { onSuccess: () => void; onError: (err: unknown) => void }) => void;
  };
  id: number;
  listKey: QueryKey;
  listHref: string;
  onFlash: (f: Flash) => void;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  return (
    <ConfirmDialog
      open={open}
      title={text.title}
      body={text.body}
      confirmLabel={text.confirm}
      busy={remove.isPending}
      onClose={onClose}
      onConfirm={() =>
        remove.mutate(
          { id },
          {
            onSuccess: () => {
              void queryClient.invalidateQueries({ queryKey: listKey });
              router.push(listHref);
            },
            onError: (err) => {
              onClose();
              onFlash({ tone: "error", text: errorText(err) });
            },
          },
        )
      }
    />
  );
}
