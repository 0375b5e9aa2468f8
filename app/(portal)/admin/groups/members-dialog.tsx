"use client";
// Membership is edited as a whole list (groups.setMembers replaces it), so the dialog starts from the
// group's current members and sends the full ticked set back.
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo } from "react";
import type { GroupView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useDebounced } from "@/app/_lib/use-debounced";
import { useTRPC } from "@/app/_trpc/client";

interface MembersDialogProps {
  group: GroupView | null;
  /** false: a read-only list (powerAdm may look, only superAdm may change). */
  editable: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}

/** Accounts offered at once; the rest are found by searching. */
const PICK_LIMIT = 200;

export function MembersDialog({ group, editable, onClose, onDone }: MembersDialogProps) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const tl = useTranslations("list");
  const trpc = useTRPC();
  const form = useFormDialog({
    open: group !== null,
    initial: () => ({ filter: "", userIds: null as number[] | null }),
    resetOn: [group],
  });
  const { filter, userIds: selected } = form.values;
  const detail = useQuery({
    ...trpc.groups.get.queryOptions({ id: group?.id ?? 0 }),
    enabled: group !== null,
  });
  // The server searches (a school has thousands of accounts): one page of the matches, and how many more.
  const search = useDebounced(filter.trim());
  const users = useQuery({
    ...trpc.users.list.queryOptions({ search: search || undefined, limit: PICK_LIMIT }),
    enabled: group !== null && editable,
    placeholderData: keepPreviousData,
  });
  const more = (users.data?.total ?? 0) - (users.data?.items.length ?? 0);
  const save = useMutation(trpc.groups.setMembers.mutationOptions());

  // Until the user ticks something, the current members are the selection.
  const current = selected ?? detail.data?.members.map((m) => m.id) ?? [];

  const options = useMemo(
    () => (users.data?.items ?? []).map((u) => ({ id: u.id, label: u.username, detail: u.displayName })),
    [users.data],
  );

  const onSave = form.handleSubmit(async () => {
    if (!group) return;
    await save.mutateAsync({ id: group.id, userIds: current });
    onDone(t("membersSaved", { name: group.name }));
  });

  const loadError = detail.error ?? users.error;
  const loading = detail.isPending || (editable && users.isPending);

  return (
    <Dialog
      open={group !== null}
      onClose={onClose}
      title={group ? t("membersTitle", { name: group.name }) : ""}
      description={editable ? t("membersDescription") : undefined}
      size="lg"
    >
      {/* No <form>: Enter in the filter box must not save the list. */}
      <div className="mb-4 empty:hidden">
        <FormError message={form.error} />
      </div>
      {loadError ? (
        <QueryError error={loadError} />
      ) : loading ? (
        <p className="text-sm text-slate-500">{tc("loading")}</p>
      ) : editable ? (
        <div className="space-y-3">
          <Input
            label={t("filterUsers")}
            type="search"
            value={filter}
            onChange={(e) => form.set("filter", e.target.value)}
          />
          <CheckboxGroup
            legend={t("selectedCount", { count: current.length })}
            options={options}
            value={current}
            onChange={(ids) => form.set("userIds", ids)}
            empty={t("noUsers")}
            maxHeightClass="max-h-72"
          />
          {more > 0 && (
            <p className="text-sm text-slate-500 dark:text-slate-400">{tl("more", { count: more })}</p>
          )}
        </div>
      ) : (
        <ul className="max-h-72 divide-y divide-slate-100 overflow-y-auto text-sm dark:divide-slate-800">
          {detail.data?.members.length === 0 && (
            <li className="py-2 text-slate-500">{t("memberCount", { count: 0 })}</li>
          )}
          {detail.data?.members.map((m) => (
            <li key={m.id} className="flex justify-between gap-4 py-2">
              <span className="font-medium">{m.username}</span>
              <span className="text-slate-500 dark:text-slate-400">{m.displayName}</span>
            </li>
          ))}
        </ul>
      )}
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          {editable ? tc("cancel") : tc("close")}
        </Button>
        {editable && (
          <Button
            onClick={() => void onSave()}
            busy={save.isPending}
            disabled={loading || Boolean(loadError)}
          >
            {t("saveMembers")}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
