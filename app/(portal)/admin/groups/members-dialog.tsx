"use client";
// Membership is edited as a whole list (groups.setMembers replaces it), so the dialog starts from the
// group's current members and sends the full ticked set back.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useMemo, useState } from "react";
import type { GroupView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";

interface MembersDialogProps {
  group: GroupView | null;
  /** false: a read-only list (powerAdm may look, only superAdm may change). */
  editable: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function MembersDialog({ group, editable, onClose, onDone }: MembersDialogProps) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<number[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const detail = useQuery({
    ...trpc.groups.get.queryOptions({ id: group?.id ?? 0 }),
    enabled: group !== null,
  });
  const users = useQuery({ ...trpc.users.list.queryOptions({}), enabled: group !== null && editable });
  const save = useMutation(trpc.groups.setMembers.mutationOptions());

  useEffect(() => {
    setFilter("");
    setSelected(null);
    setError(null);
  }, [group]);
  // Until the user ticks something, the current members are the selection.
  const current = selected ?? detail.data?.members.map((m) => m.id) ?? [];

  const options = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (users.data ?? [])
      .filter((u) => !q || u.username.includes(q) || u.displayName.toLowerCase().includes(q))
      .map((u) => ({ id: u.id, label: u.username, detail: u.displayName }));
  }, [users.data, filter]);

  async function onSave() {
    if (!group) return;
    setError(null);
    try {
      await save.mutateAsync({ id: group.id, userIds: current });
      onDone(t("membersSaved", { name: group.name }));
    } catch (err) {
      setError(errorText(err));
    }
  }

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
      {error && (
        <Alert tone="error" className="mb-4" data-testid="form-error">
          {error}
        </Alert>
      )}
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
            onChange={(e) => setFilter(e.target.value)}
          />
          <CheckboxGroup
            legend={t("selectedCount", { count: current.length })}
            options={options}
            value={current}
            onChange={setSelected}
            empty={t("noUsers")}
            maxHeightClass="max-h-72"
          />
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
