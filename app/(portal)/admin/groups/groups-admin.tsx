"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import type { GroupView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { GroupFormDialog } from "./group-form-dialog";
import { AdminsDialog } from "./admins-dialog";
import { MembersDialog } from "./members-dialog";

export interface GroupPermissions {
  create: boolean;
  update: boolean;
  delete: boolean;
  read: boolean;
  setMembers: boolean;
  setAdmins: boolean;
  listUsers: boolean;
}

type Open =
  | { kind: "create" }
  | { kind: "edit"; group: GroupView }
  | { kind: "members"; group: GroupView }
  | { kind: "admins"; group: GroupView }
  | { kind: "delete"; group: GroupView }
  | null;

export function GroupsAdmin({
  allowed,
  notice,
}: {
  allowed: GroupPermissions;
  /** Said under the title, e.g. which role may change what this role may only look at. */
  notice?: ReactNode;
}) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [open, setOpen] = useState<Open>(null);
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const groups = useQuery(trpc.groups.list.queryOptions());
  const remove = useMutation(trpc.groups.delete.mutationOptions());

  // Member counts show up on the users page too (their group column), so both lists are refreshed.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.groups.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.groups.get.queryKey() }),
      queryClient.invalidateQueries(trpc.users.list.pathFilter()),
    ]);

  function done(text: string) {
    setOpen(null);
    setFlash({ tone: "success", text });
    void refresh();
  }

  async function confirmDelete(group: GroupView) {
    try {
      await remove.mutateAsync({ id: group.id });
      done(t("deleted", { name: group.name }));
    } catch (err) {
      setOpen(null);
      setFlash({ tone: "error", text: errorText(err) });
      void refresh();
    }
  }

  const openDialog = (next: Open) => {
    setFlash(null);
    setOpen(next);
  };
  const showActions = allowed.update || allowed.delete || allowed.read;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          allowed.create && <Button onClick={() => openDialog({ kind: "create" })}>{t("newGroup")}</Button>
        }
      />
      {notice}
      {flash && (
        <Alert tone={flash.tone} className="mb-4">
          {flash.text}
        </Alert>
      )}

      {groups.isError && !groups.data ? (
        <QueryError error={groups.error} onRetry={() => void groups.refetch()} retrying={groups.isFetching} />
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colDescription")}</Th>
            <Th>{t("colKind")}</Th>
            <Th>{t("colAdmins")}</Th>
            <Th>{t("colMembers")}</Th>
            {showActions && <Th className="text-right">{t("colActions")}</Th>}
          </THead>
          <TBody>
            {groups.isPending ? (
              <TableMessage colSpan={6}>{tc("loading")}</TableMessage>
            ) : groups.data.length === 0 ? (
              <TableMessage colSpan={6}>{t("empty")}</TableMessage>
            ) : (
              groups.data.map((g) => (
                <Tr key={g.id}>
                  <Td className="font-medium">
                    <Truncated text={g.name} />
                  </Td>
                  <Td className="max-w-md text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">
                    {g.description || tc("none")}
                  </Td>
                  <Td className="whitespace-nowrap">{t(`kind.${g.kind}`)}</Td>
                  <Td className="max-w-xs [overflow-wrap:anywhere]" data-testid="group-admins">
                    {g.admins.length ? g.admins.map((a) => a.username).join(", ") : tc("none")}
                  </Td>
                  <Td className="whitespace-nowrap">{t("memberCount", { count: g.memberCount })}</Td>
                  {showActions && (
                    <Td className="whitespace-nowrap text-right">
                      <div className="flex justify-end gap-1">
                        {allowed.read && (
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-label={t("membersLabel", { name: g.name })}
                            onClick={() => openDialog({ kind: "members", group: g })}
                          >
                            {t("members")}
                          </Button>
                        )}
                        {allowed.setAdmins && allowed.listUsers && (
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-label={t("adminsLabel", { name: g.name })}
                            onClick={() => openDialog({ kind: "admins", group: g })}
                          >
                            {t("admins")}
                          </Button>
                        )}
                        {allowed.update && (
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-label={t("editLabel", { name: g.name })}
                            onClick={() => openDialog({ kind: "edit", group: g })}
                          >
                            {t("edit")}
                          </Button>
                        )}
                        {allowed.delete && (
                          <Button
                            size="sm"
                            variant="ghost"
                            className="text-red-700 dark:text-red-400"
                            aria-label={t("deleteLabel", { name: g.name })}
                            onClick={() => openDialog({ kind: "delete", group: g })}
                          >
                            {t("delete")}
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
      )}

      <GroupFormDialog
        open={open?.kind === "create" || open?.kind === "edit"}
        group={open?.kind === "edit" ? open.group : null}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <MembersDialog
        group={open?.kind === "members" ? open.group : null}
        editable={allowed.setMembers && allowed.listUsers}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <AdminsDialog
        group={open?.kind === "admins" ? open.group : null}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <Dialog
        open={open?.kind === "delete"}
        onClose={() => setOpen(null)}
        title={open?.kind === "delete" ? t("deleteTitle", { name: open.group.name }) : ""}
        description={t("deleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setOpen(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => open?.kind === "delete" && void confirmDelete(open.group)}
          >
            {t("deleteConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
