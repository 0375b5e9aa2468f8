"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { GroupView } from "@/app/_trpc/views";
import { createGroupInput, updateGroupInput } from "@/common/groups";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Textarea } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";

interface GroupFormDialogProps {
  open: boolean;
  /** null: create a new group. */
  group: GroupView | null;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function GroupFormDialog({ open, group, onClose, onDone }: GroupFormDialogProps) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.groups.create.mutationOptions());
  const update = useMutation(trpc.groups.update.mutationOptions());

  useEffect(() => {
    if (!open) return;
    setName(group?.name ?? "");
    setDescription(group?.description ?? "");
    setFieldErrors({});
    setError(null);
  }, [open, group]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      if (group) {
        const checked = validate(updateGroupInput, { id: group.id, name, description }, tv);
        setFieldErrors(checked.errors ?? {});
        if (!checked.data) return;
        const saved = await update.mutateAsync(checked.data);
        onDone(t("updated", { name: saved.name }));
      } else {
        const checked = validate(createGroupInput, { name, description }, tv);
        setFieldErrors(checked.errors ?? {});
        if (!checked.data) return;
        const saved = await create.mutateAsync(checked.data);
        onDone(t("created", { name: saved.name }));
      }
    } catch (err) {
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={group ? t("editTitle", { name: group.name }) : t("createTitle")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
          </Alert>
        )}
        <Input
          label={t("name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fieldErrors.name}
        />
        <Textarea
          label={t("descriptionLabel")}
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={fieldErrors.description}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending || update.isPending}>
            {group ? t("saveChanges") : t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
