"use client";
// The class's members: a teacher adds existing accounts by name and takes students out again. Admins
// (teachers) are shown, and only a superAdm removes them (the server refuses the others).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { addClassMembersInput } from "@/common/classes";
import type { ClassDetailView, ClassMemberView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Textarea } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { Flash } from "./class-detail";

interface Props {
  detail: ClassDetailView;
  isSuperAdm: boolean;
  onFlash: (f: Flash) => void;
  onChanged: () => Promise<unknown>;
}

export function MembersCard({ detail, isSuperAdm, onFlash, onChanged }: Props) {
  const t = useTranslations("classes");
  const tr = useTranslations("roles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ClassMemberView | null>(null);
  const remove = useMutation(trpc.classes.removeMembers.mutationOptions());

  async function confirmRemove(m: ClassMemberView) {
    try {
      await remove.mutateAsync({ id: detail.id, userIds: [m.id] });
      onFlash({ tone: "success", text: t("memberRemoved", { name: m.username }) });
    } catch (err) {
      onFlash({ tone: "error", text: errorText(err) });
    } finally {
      setRemoving(null);
      void onChanged();
    }
  }

  return (
    <Card>
      <CardHeader
        title={t("membersTitle", { count: detail.members.length })}
        aside={
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              onFlash(null);
              setAdding(true);
            }}
          >
            {t("addMembers")}
          </Button>
        }
      />
      <Table caption={t("membersCaption")}>
        <THead>
          <Th>{t("colUsername")}</Th>
          <Th>{t("colDisplayName")}</Th>
          <Th>{t("colRole")}</Th>
          <Th className="text-right">{t("colActions")}</Th>
        </THead>
        <TBody>
          {detail.members.length === 0 ? (
            <TableMessage colSpan={4}>{t("noMembers")}</TableMessage>
          ) : (
            detail.members.map((m) => (
              <Tr key={m.id} data-testid="member-row">
                <Td className="font-medium">{m.username}</Td>
                <Td>{m.displayName}</Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {tr(m.role as "user")}
                    {m.isAdmin && <Badge tone="info">{t("admin")}</Badge>}
                    {m.disabled && <Badge tone="warning">{t("disabled")}</Badge>}
                  </span>
                </Td>
                <Td className="text-right">
                  {(!m.isAdmin || isSuperAdm) && (
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-red-700 dark:text-red-400"
                      aria-label={t("removeMemberLabel", { name: m.username })}
                      onClick={() => {
                        onFlash(null);
                        setRemoving(m);
                      }}
                    >
                      {t("removeMember")}
                    </Button>
                  )}
                </Td>
              </Tr>
            ))
          )}
        </TBody>
      </Table>

      <AddMembersDialog
        open={adding}
        classId={detail.id}
        onClose={() => setAdding(false)}
        onDone={(text) => {
          setAdding(false);
          onFlash({ tone: "success", text });
          void onChanged();
        }}
      />
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={removing ? t("removeMemberTitle", { name: removing.username }) : ""}
        description={t("removeMemberBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setRemoving(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => removing && void confirmRemove(removing)}
          >
            {t("removeMemberConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}

function AddMembersDialog({
  open,
  classId,
  onClose,
  onDone,
}: {
  open: boolean;
  classId: number;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const add = useMutation(trpc.classes.addMembers.mutationOptions());
  const form = useFormDialog({ open, initial: () => ({ usernames: "" }) });
  const onSubmit = form.handleSubmit(async () => {
    // One name per line, or separated by commas or spaces (pasted from a list).
    const usernames = form.values.usernames.split(/[\s,;]+/).filter(Boolean);
    const checked = form.check(addClassMembersInput, { id: classId, usernames });
    if (!checked) return;
    const res = await add.mutateAsync(checked);
    onDone(t("membersAdded", { added: res.added, already: res.alreadyMembers }));
  });
  return (
    <Dialog open={open} onClose={onClose} title={t("addMembersTitle")} description={t("addMembersBody")}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Textarea
          label={t("usernames")}
          rows={6}
          value={form.values.usernames}
          onChange={(e) => form.set("usernames", e.target.value)}
          error={form.fieldErrors.usernames}
          hint={t("usernamesHint")}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={add.isPending}>
            {t("addMembersSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
