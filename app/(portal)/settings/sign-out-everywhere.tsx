"use client";
import { useMutation } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";

/** Ends every session of the account on the server — a forgotten computer's too — then this one's cookie. */
export function SignOutEverywhere() {
  const t = useTranslations("settings");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [error, setError] = useState<string | null>(null);
  const end = useMutation(trpc.account.signOutEverywhere.mutationOptions());

  async function onClick() {
    setError(null);
    try {
      await end.mutateAsync();
      await signOut({ callbackUrl: "/login" });
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="space-y-4">
      {error && (
        <Alert tone="error" data-testid="form-error">
          {error}
        </Alert>
      )}
      <p className="text-sm text-slate-600 dark:text-slate-400">{t("sessionsHint")}</p>
      <Button variant="secondary" busy={end.isPending} onClick={() => void onClick()}>
        {t("signOutEverywhere")}
      </Button>
    </div>
  );
}
