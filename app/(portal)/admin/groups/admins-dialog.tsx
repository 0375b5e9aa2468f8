"use client";
// Who administers a group (its teachers): superAdm picks among the powerAdm accounts; the admins list is
// sent whole (groups.setAdmins replaces it). An admin who is not a member yet becomes one.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { GroupView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { FormError } from "@/app/_components/form-error";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

export function AdminsDialog({
  group,
  onClose,
  onDone,
}: {
  group: GroupView | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const tl = useTranslations("list");
  const trpc = useTRPC();
  // Only powerAdm accounts can administer a group (the server refuses the others by name): asked for by role.
  const users = useQuery({
    ...trpc.users.list.queryOptions({ role: "powerAdm", limit: 500 }),
    enabled: group !== null,
  });
  const more = (users.data?.total ?? 0) - (users.data?.items.length ?? 0);
  const save = useMutation(trpc.groups.setAdmins.mutationOptions());
  const form = useFormDialog({
    open: group !== null,
    initial: () => ({ userIds: null as number[] | null }),
    resetOn: [group],
    fields: ["userIds"],
  });
  const current = form.values.userIds ?? group?.admins.map((a) => a.id) ?? [];
  const options = (users.data?.items ?? []).map((u) => ({
    id: u.id,
    label: u.username,
    detail: u.displayName,
  }));

  const onSave = form.handleSubmit(async () => {
    if (!group) return;
    await save.mutateAsync({ id: group.id, userIds: current });
    onDone(t("adminsSaved", { name: group.name }));
  });

  return (
    <Dialog
      open={group !== null}
      onClose={onClose}
      title={group ? t("adminsTitle", { name: group.name }) : ""}
      description={t("adminsDescription")}
    >
      <div className="space-y-4">
        <FormError message={form.error} />
        {users.error ? (
          <QueryError error={users.error} />
        ) : (
          <CheckboxGroup
            legend={t("adminsLegend")}
            options={options}
            value={current}
            onChange={(ids) => form.set("userIds", ids)}
            error={form.fieldErrors.userIds}
            empty={users.isPending ? tc("loading") : t("noPowerAdms")}
          />
        )}
        {more > 0 && (
          <p className="text-sm text-slate-500 dark:text-slate-400">{tl("more", { count: more })}</p>
        )}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button onClick={() => void onSave()} busy={save.isPending} disabled={users.isPending}>
            {t("saveAdmins")}
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
