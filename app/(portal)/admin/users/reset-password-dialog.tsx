"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import { resetUserPasswordInput } from "@/common/users";
import type { UserView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
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
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const reset = useMutation(trpc.users.resetPassword.mutationOptions());

  useEffect(() => {
    setPassword("");
    setFieldErrors({});
    setError(null);
  }, [user]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!user) return;
    setError(null);
    const checked = validate(resetUserPasswordInput, { id: user.id, password }, tv);
    setFieldErrors(checked.errors ?? {});
    if (!checked.data) return;
    try {
      await reset.mutateAsync(checked.data);
      onDone(t("resetDone", { username: user.username }));
    } catch (err) {
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  return (
    <Dialog
      open={user !== null}
      onClose={onClose}
      title={user ? t("resetTitle", { username: user.username }) : ""}
      description={t("resetDescription")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
          </Alert>
        )}
        <Input
          label={t("newPassword")}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
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
