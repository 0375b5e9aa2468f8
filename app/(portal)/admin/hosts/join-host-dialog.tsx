"use client";
// Shows the one-time join command. The token is only ever shown here (the server keeps its hash), so
// the dialog makes copying it easy and says plainly when it stops working.
import { useLocale, useTranslations } from "next-intl";
import { useRef, useState } from "react";
import type { JoinToken } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { copyText } from "@/app/_lib/copy-text";
import { formatDateTime } from "@/app/_lib/format";

/** A new host's join command, or (with rejoinName) the re-join command of a host given new credentials. */
export function JoinHostDialog({
  token,
  onClose,
  rejoinName,
  cluster,
}: {
  token: JoinToken | null;
  onClose: () => void;
  rejoinName?: string;
  /** The cluster the token puts the new host in (null or left out: none). */
  cluster?: string | null;
}) {
  const t = useTranslations("hosts");
  const locale = useLocale();
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  function close() {
    setCopied(null);
    onClose();
  }

  return (
    <Dialog
      open={token !== null}
      onClose={close}
      title={rejoinName === undefined ? t("joinTitle") : t("rejoinTitle", { name: rejoinName })}
      description={
        token
          ? t(rejoinName === undefined ? "joinExplain" : "rejoinExplain", {
              time: formatDateTime(token.expiresAt, locale),
            })
          : undefined
      }
      size="lg"
    >
      {token && (
        <>
          {cluster && (
            <p className="mb-3 text-sm text-slate-700 dark:text-slate-200" data-testid="join-cluster">
              {t("joinInCluster", { cluster })}
            </p>
          )}
          <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-200">{t("joinCommand")}</p>
          <pre
            ref={pre}
            data-testid="join-command"
            className="overflow-x-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap break-all text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
          >
            {token.command}
          </pre>
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <Button
              size="sm"
              variant="secondary"
              onClick={() => void copyText(token.command, pre.current).then(setCopied)}
            >
              {t("copy")}
            </Button>
            <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
              {copied === true ? t("copied") : copied === false ? t("copyFailed") : ""}
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
