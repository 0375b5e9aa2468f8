"use client";
// A one-time password reset link for one user, issued on request and shown once to hand over. Exported for
// any page that lists people an admin looks after (the users page, a class page).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { RESET_LINK_TTL_MINUTES } from "@/common/accounts";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { FormError } from "@/app/_components/form-error";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";

export function ResetLinkButton({ user }: { user: { id: number; username: string } }) {
  const t = useTranslations("accounts.resetLink");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const issue = useMutation(trpc.users.issueResetLink.mutationOptions());
  // Built here from the address the admin uses, so it points at the portal as people reach it.
  const link = issue.data ? `${window.location.origin}${issue.data.path}` : null;

  function close() {
    setOpen(false);
    setCopied(false);
    // The link is gone from the page once the dialog closes: it is shown once.
    issue.reset();
  }

  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        aria-label={t("buttonLabel", { username: user.username })}
        onClick={() => setOpen(true)}
      >
        {t("button")}
      </Button>
      {/* The button sits in right-aligned table cells; the dialog inherits text alignment from there. */}
      <div className="contents text-left">
        <Dialog
          open={open}
          onClose={close}
          title={t("title", { username: user.username })}
          description={t("description", { minutes: RESET_LINK_TTL_MINUTES })}
        >
          <div className="space-y-4">
            <FormError message={issue.isError ? errorText(issue.error) : null} />
            {link ? (
              <>
                <label className="block text-sm font-medium" htmlFor="reset-link-value">
                  {t("linkLabel")}
                </label>
                <input
                  id="reset-link-value"
                  data-testid="reset-link"
                  readOnly
                  value={link}
                  onFocus={(e) => e.currentTarget.select()}
                  className="w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
                />
                <p className="text-sm text-slate-600 dark:text-slate-400">{t("onceHint")}</p>
                {issue.data?.mail === "sent" && <Alert tone="success">{t("mailSent")}</Alert>}
                {issue.data?.mail === "failed" && <Alert tone="warning">{t("mailFailed")}</Alert>}
              </>
            ) : (
              <p className="text-sm">{t("voidsOlder")}</p>
            )}
            <DialogActions>
              {link ? (
                <>
                  <Button
                    variant="secondary"
                    onClick={() =>
                      void navigator.clipboard?.writeText(link).then(
                        () => setCopied(true),
                        () => setCopied(false),
                      )
                    }
                  >
                    {copied ? t("copied") : t("copy")}
                  </Button>
                  <Button onClick={close}>{tc("close")}</Button>
                </>
              ) : (
                <>
                  <Button variant="secondary" onClick={close}>
                    {tc("cancel")}
                  </Button>
                  <Button busy={issue.isPending} onClick={() => issue.mutate({ id: user.id })}>
                    {t("issue")}
                  </Button>
                </>
              )}
            </DialogActions>
          </div>
        </Dialog>
      </div>
    </>
  );
}
