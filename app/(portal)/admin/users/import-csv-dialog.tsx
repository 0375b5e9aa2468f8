"use client";
// Accounts for a whole class from a spreadsheet: a file or pasted text in, a result per row out, and the
// generated initial passwords shown once (and downloadable once) to hand out on paper.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { CSV_IMPORT_MAX_ROWS, importCsvInput, type ImportRowResult } from "@/common/accounts";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Textarea } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useMutationErrorText } from "@/app/_components/query-error";
import { downloadText } from "@/app/_lib/download-text";
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";

const toCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function ImportCsvDialog({
  open,
  onClose,
  onImported,
}: {
  open: boolean;
  onClose: () => void;
  onImported: () => void;
}) {
  const t = useTranslations("accounts.csvImport");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const render = useMessage();
  const errorText = useMutationErrorText();
  const [text, setText] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [results, setResults] = useState<ImportRowResult[] | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const importCsv = useMutation(trpc.users.importCsv.mutationOptions());

  function close() {
    // Passwords leave the page with the dialog: they are shown once.
    setText("");
    setResults(null);
    setDownloaded(false);
    setFieldError(null);
    importCsv.reset();
    onClose();
  }

  async function readFile(file: File | undefined) {
    if (!file) return;
    setText(await file.text());
  }

  async function submit() {
    const checked = importCsvInput.safeParse({ csv: text });
    if (!checked.success) {
      setFieldError(t("textRequired"));
      return;
    }
    setFieldError(null);
    const rows = await importCsv.mutateAsync(checked.data).catch(() => null);
    if (rows) {
      setResults(rows);
      onImported();
    }
  }

  function download() {
    if (!results) return;
    const lines = ["username,password"];
    for (const r of results)
      if (r.status === "created" && r.password) lines.push(`${toCell(r.username)},${r.password}`);
    downloadText(`${lines.join("\r\n")}\r\n`, "initial-passwords.csv");
    setDownloaded(true);
  }

  const created = results?.filter((r) => r.status === "created").length ?? 0;
  const failed = (results?.length ?? 0) - created;

  return (
    <Dialog
      open={open}
      onClose={close}
      title={t("title")}
      description={t("description", {
        max: CSV_IMPORT_MAX_ROWS,
        columns: "username, display name, email, group",
      })}
      size="lg"
    >
      {results ? (
        <div className="space-y-4">
          <p className="text-sm font-medium" data-testid="import-summary">
            {t("summary", { created, failed })}
          </p>
          {created > 0 && <p className="text-sm text-amber-700 dark:text-amber-400">{t("passwordsOnce")}</p>}
          <div className="max-h-96 overflow-auto">
            <Table caption={t("resultCaption")}>
              <THead>
                <Th>{t("colLine")}</Th>
                <Th>{t("colUsername")}</Th>
                <Th>{t("colResult")}</Th>
                <Th>{t("colPassword")}</Th>
              </THead>
              <TBody>
                {results.map((r) => (
                  <Tr key={r.line}>
                    <Td className="text-xs">{r.line}</Td>
                    <Td className="font-medium">{r.username}</Td>
                    <Td>
                      {r.status === "created" ? (
                        <Badge tone="success">{t("created")}</Badge>
                      ) : (
                        <span className="text-sm text-red-700 dark:text-red-400">
                          {r.error ? render(r.error as never) : t("failedRow")}
                        </span>
                      )}
                    </Td>
                    <Td
                      className="font-mono text-xs"
                      data-testid={r.password ? "initial-password" : undefined}
                    >
                      {r.password ?? ""}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
          <DialogActions>
            {created > 0 && (
              <Button variant="secondary" onClick={download} disabled={downloaded}>
                {downloaded ? t("downloaded") : t("download")}
              </Button>
            )}
            <Button onClick={close}>{tc("close")}</Button>
          </DialogActions>
        </div>
      ) : (
        <div className="space-y-4">
          <FormError message={importCsv.isError ? errorText(importCsv.error) : null} />
          <div>
            <label className="mb-1 block text-sm font-medium" htmlFor="csv-file">
              {t("file")}
            </label>
            <input
              id="csv-file"
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(e) => void readFile(e.target.files?.[0])}
              className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 dark:file:bg-slate-800"
            />
          </div>
          <Textarea
            label={t("paste")}
            rows={8}
            className="font-mono text-xs"
            placeholder={"username,display name,email,group\nli.lei,李雷,li.lei@school.example,7a"}
            value={text}
            onChange={(e) => setText(e.target.value)}
            error={fieldError}
            hint={t("hint")}
          />
          <DialogActions>
            <Button variant="secondary" onClick={close}>
              {tc("cancel")}
            </Button>
            <Button busy={importCsv.isPending} onClick={() => void submit()}>
              {t("submit")}
            </Button>
          </DialogActions>
        </div>
      )}
    </Dialog>
  );
}
