"use client";
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import type { UserView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { PageFooter, SortableTh, type SortState } from "@/app/_components/paged-list";
import type { USER_SORTS } from "@/common/users";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useDebounced } from "@/app/_lib/use-debounced";
import { useTRPC } from "@/app/_trpc/client";
import { ImportCsvDialog } from "./import-csv-dialog";
import { ResetLinkButton } from "./reset-link-button";
import { ResetPasswordDialog } from "./reset-password-dialog";
import { UserFormDialog } from "./user-form-dialog";

export interface UserPermissions {
  create: boolean;
  update: boolean;
  setDisabled: boolean;
  resetPassword: boolean;
  clearSignInLock: boolean;
  listGroups: boolean;
  /** One-time reset links: superAdm for anyone, a group's admin for its non-admin members. */
  issueResetLink: boolean;
  /** Approving (or turning away) self-signed-up accounts. */
  approve: boolean;
  importCsv: boolean;
}

type Open =
  | { kind: "import" }
  | { kind: "create" }
  | { kind: "edit"; user: UserView }
  | { kind: "reset"; user: UserView }
  | null;

export function UsersAdmin({
  actorId,
  allowed,
  notice,
}: {
  actorId: number;
  allowed: UserPermissions;
  /** Said under the title, e.g. which role may change what this role may only look at. */
  notice?: ReactNode;
}) {
  const t = useTranslations("users");
  const tp = useTranslations("accounts.pending");
  const ti = useTranslations("accounts.csvImport");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [search, setSearch] = useState("");
  const debounced = useDebounced(search.trim());
  const [open, setOpen] = useState<Open>(null);
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  const [sort, setSort] = useState<SortState<(typeof USER_SORTS)[number]>>({
    sort: "username",
    order: "asc",
  });
  // Keep showing the previous rows while a new search runs, so the table does not blink empty.
  const users = useInfiniteQuery({
    ...trpc.users.list.infiniteQueryOptions(
      { search: debounced || undefined, ...sort, limit: 100 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
  });
  const rows = users.data?.pages.flatMap((p) => p.items);
  const total = users.data?.pages[0]?.total;
  const groups = useQuery({ ...trpc.groups.list.queryOptions(), enabled: allowed.listGroups });
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name ?? `#${id}`;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(trpc.users.list.pathFilter()),
      queryClient.invalidateQueries({ queryKey: trpc.groups.list.queryKey() }),
    ]);

  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions());
  async function toggleDisabled(user: UserView) {
    setFlash(null);
    try {
      await setDisabled.mutateAsync({ id: user.id, disabled: !user.disabled });
      setFlash({
        tone: "success",
        text: t(user.disabled ? "enabledDone" : "disabledDone", { username: user.username }),
      });
    } catch (err) {
      setFlash({ tone: "error", text: errorText(err) });
    }
    await refresh();
  }

  const clearLock = useMutation(trpc.users.clearSignInLock.mutationOptions());
  async function clearSignInLock(user: UserView) {
    setFlash(null);
    try {
      await clearLock.mutateAsync({ id: user.id });
      setFlash({ tone: "success", text: t("lockCleared", { username: user.username }) });
    } catch (err) {
      setFlash({ tone: "error", text: errorText(err) });
    }
  }

  const approve = useMutation(trpc.users.approve.mutationOptions());
  const reject = useMutation(trpc.users.reject.mutationOptions());
  async function decide(user: UserView, ok: boolean) {
    setFlash(null);
    try {
      if (ok) await approve.mutateAsync({ id: user.id });
      else await reject.mutateAsync({ id: user.id });
      setFlash({
        tone: "success",
        text: tp(ok ? "approved" : "rejected", { username: user.username }),
      });
    } catch (err) {
      setFlash({ tone: "error", text: errorText(err) });
    }
    await refresh();
  }
  // A powerAdm hands links to the members they look after, never to another admin (the server says so too).
  const mayIssueLink = (u: UserView) =>
    allowed.issueResetLink &&
    !u.pendingApproval &&
    (allowed.resetPassword || (u.id !== actorId && (u.role === "user" || u.role === "powerUser")));

  function done(text: string) {
    setOpen(null);
    setFlash({ tone: "success", text });
    void refresh();
  }

  const showActions =
    allowed.update ||
    allowed.setDisabled ||
    allowed.resetPassword ||
    allowed.clearSignInLock ||
    allowed.issueResetLink ||
    allowed.approve;
  const columns = showActions ? 7 : 6;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <div className="flex flex-wrap gap-2">
            {allowed.importCsv && (
              <Button
                variant="secondary"
                onClick={() => {
                  setFlash(null);
                  setOpen({ kind: "import" });
                }}
              >
                {ti("open")}
              </Button>
            )}
            {allowed.create && (
              <Button
                onClick={() => {
                  setFlash(null);
                  setOpen({ kind: "create" });
                }}
              >
                {t("newUser")}
              </Button>
            )}
          </div>
        }
      />
      {notice}
      {flash && (
        <Alert tone={flash.tone} className="mb-4">
          {flash.text}
        </Alert>
      )}

      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <Input
          label={t("search")}
          type="search"
          placeholder={t("searchPlaceholder")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          fieldClassName="w-full sm:w-80"
        />
        {total !== undefined && (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t("count", { count: total })}</p>
        )}
      </div>

      {users.isError && !users.data ? (
        <QueryError error={users.error} onRetry={() => void users.refetch()} retrying={users.isFetching} />
      ) : (
        <>
          <Table caption={t("caption")}>
            <THead>
              <SortableTh column="username" state={sort} onSort={setSort}>
                {t("colUsername")}
              </SortableTh>
              <Th>{t("colDisplayName")}</Th>
              <Th>{t("colRole")}</Th>
              <Th>{t("colGroups")}</Th>
              <Th>{t("colStatus")}</Th>
              <Th>{t("colLastLogin")}</Th>
              {showActions && <Th className="text-right">{t("colActions")}</Th>}
            </THead>
            <TBody>
              {users.isPending ? (
                <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
              ) : rows?.length === 0 ? (
                <TableMessage colSpan={columns}>{t("empty")}</TableMessage>
              ) : (
                rows?.map((u) => (
                  <Tr key={u.id}>
                    {/* Only the username in this cell: tests and screen readers find the row by it. */}
                    <Td className="font-medium">
                      <Truncated text={u.username} />
                    </Td>
                    <Td>
                      <Truncated text={u.displayName} />
                    </Td>
                    <Td>
                      <RoleBadge role={u.role} />
                    </Td>
                    <Td className="max-w-56">
                      {u.groupIds.length ? u.groupIds.map(groupName).join(", ") : tc("none")}
                    </Td>
                    <Td>
                      {u.pendingApproval ? (
                        <Badge tone="warning">{tp("badge")}</Badge>
                      ) : (
                        <Badge tone={u.disabled ? "danger" : "success"}>
                          {u.disabled ? t("disabled") : t("enabled")}
                        </Badge>
                      )}
                    </Td>
                    <Td className="min-w-32 text-xs">
                      {u.lastLoginAt ? formatDateTime(u.lastLoginAt, locale) : t("never")}
                    </Td>
                    {showActions && (
                      <Td className="text-right">
                        {/* Wraps on narrow screens rather than hiding buttons off the table's edge. */}
                        <div className="flex flex-wrap justify-end gap-1">
                          {allowed.approve && u.pendingApproval && (
                            <>
                              <Button
                                size="sm"
                                aria-label={tp("approveLabel", { username: u.username })}
                                busy={approve.isPending && approve.variables?.id === u.id}
                                onClick={() => void decide(u, true)}
                              >
                                {tp("approve")}
                              </Button>
                              <Button
                                size="sm"
                                variant="danger"
                                aria-label={tp("rejectLabel", { username: u.username })}
                                busy={reject.isPending && reject.variables?.id === u.id}
                                onClick={() => void decide(u, false)}
                              >
                                {tp("reject")}
                              </Button>
                            </>
                          )}
                          {mayIssueLink(u) && <ResetLinkButton user={u} />}
                          {allowed.update && (
                            <Button
                              size="sm"
                              variant="ghost"
                              aria-label={t("editLabel", { username: u.username })}
                              onClick={() => {
                                setFlash(null);
                                setOpen({ kind: "edit", user: u });
                              }}
                            >
                              {t("edit")}
                            </Button>
                          )}
                          {allowed.setDisabled && u.id !== actorId && (
                            <Button
                              size="sm"
                              variant="ghost"
                              aria-label={t(u.disabled ? "enableLabel" : "disableLabel", {
                                username: u.username,
                              })}
                              busy={setDisabled.isPending && setDisabled.variables?.id === u.id}
                              onClick={() => void toggleDisabled(u)}
                            >
                              {u.disabled ? t("enable") : t("disable")}
                            </Button>
                          )}
                          {allowed.resetPassword && (
                            <Button
                              size="sm"
                              variant="ghost"
                              aria-label={t("resetPasswordLabel", { username: u.username })}
                              onClick={() => {
                                setFlash(null);
                                setOpen({ kind: "reset", user: u });
                              }}
                            >
                              {t("resetPassword")}
                            </Button>
                          )}
                          {allowed.clearSignInLock && u.id !== actorId && (
                            <Button
                              size="sm"
                              variant="ghost"
                              aria-label={t("clearLockLabel", { username: u.username })}
                              busy={clearLock.isPending && clearLock.variables?.id === u.id}
                              onClick={() => void clearSignInLock(u)}
                            >
                              {t("clearLock")}
                            </Button>
                          )}
                        </div>
                      </Td>
                    )}
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
          <PageFooter shown={rows?.length ?? 0} total={total} query={users} />
        </>
      )}

      <UserFormDialog
        open={open?.kind === "create" || open?.kind === "edit"}
        user={open?.kind === "edit" ? open.user : null}
        groups={groups.data ?? []}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <ImportCsvDialog
        open={open?.kind === "import"}
        onClose={() => setOpen(null)}
        onImported={() => void refresh()}
      />
      <ResetPasswordDialog
        user={open?.kind === "reset" ? open.user : null}
        onClose={() => setOpen(null)}
        onDone={done}
      />
    </>
  );
}

function RoleBadge({ role }: { role: UserView["role"] }) {
  const t = useTranslations("roles");
  const tone = role === "superAdm" ? "warning" : role === "powerAdm" ? "info" : "neutral";
  return <Badge tone={tone}>{t(role)}</Badge>;
}
