"use client";
// The new token, shown once: the server keeps only its hash, so the dialog makes copying easy and says
// plainly that it cannot be shown again.
import { useTranslations } from "next-intl";
import { useRef, useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { copyText } from "@/app/_lib/copy-text";
import type { CreatedApiToken } from "@/app/_trpc/views";

export function TokenSecretDialog({
  created,
  onClose,
}: {
  created: CreatedApiToken | null;
  onClose: () => void;
}) {
  const t = useTranslations("apiTokens");
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  function close() {
    setCopied(null);
    onClose();
  }

  return (
    <Dialog open={created !== null} onClose={close} title={t("createdTitle")} size="lg">
      {created && (
        <>
          <Alert tone="warning">{t("secretWarning")}</Alert>
          <p className="mt-3 mb-1 text-sm font-medium text-slate-700 dark:text-slate-200">{created.name}</p>
          <pre
            ref={pre}
            data-testid="api-token-secret"
            className="overflow-x-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs break-all whitespace-pre-wrap text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
          >
            {created.token}
          </pre>
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <Button
              size="sm"
              variant="secondary"
              onClick={() => void copyText(created.token, pre.current).then(setCopied)}
            >
              {t("copy")}
            </Button>
            <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
              {copied === true ? t("copied") : ""}
            </span>
          </div>
          <DialogActions>
            <Button onClick={close}>{t("done")}</Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}
