"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { resetUserPasswordInput } from "@/common/users";
import type { UserView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

export function ResetPasswordDialog({
  user,
  onClose,
  onDone,
}: {
  user: UserView | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTranslations("users");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const form = useFormDialog({ open: user !== null, initial: () => ({ password: "" }), resetOn: [user] });
  const { fieldErrors } = form;
  const reset = useMutation(trpc.users.resetPassword.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    if (!user) return;
    const checked = form.check(resetUserPasswordInput, { id: user.id, password: form.values.password });
    if (!checked) return;
    await reset.mutateAsync(checked);
    onDone(t("resetDone", { username: user.username }));
  });

  return (
    <Dialog
      open={user !== null}
      onClose={onClose}
      title={user ? t("resetTitle", { username: user.username }) : ""}
      description={t("resetDescription")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("newPassword")}
          type="password"
          autoComplete="new-password"
          value={form.values.password}
          onChange={(e) => form.set("password", e.target.value)}
          error={fieldErrors.password}
          hint={t("passwordHint")}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={reset.isPending}>
            {t("resetSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
