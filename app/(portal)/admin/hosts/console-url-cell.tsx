"use client";
// A host's pinned console address: where the portal's console proxy connects, set when the host joined.
// Heartbeats cannot move it; a superAdm can, here (the server accepts ws(s)://host:port only).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { HostView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";

export function ConsoleUrlCell({
  host,
  canChange,
  onChanged,
}: {
  host: HostView;
  canChange: boolean;
  onChanged: (text: string) => void;
}) {
  const t = useTranslations("hosts");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const save = useMutation(trpc.hosts.setConsoleUrl.mutationOptions());
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit() {
    if (draft === null) return;
    setError(null);
    try {
      const view = await save.mutateAsync({ id: host.id, consoleUrl: draft.trim() });
      setDraft(null);
      onChanged(t("consoleDone", { name: host.name, url: view.consoleUrl ?? "" }));
    } catch (err) {
      setError(errorText(err));
    }
  }

  if (draft !== null)
    return (
      <form
        className="min-w-56 space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Input
          label={t("consoleLabel", { name: host.name })}
          hideLabel
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder="ws://node7.lab:7901"
          hint={t("consoleHint")}
          error={error}
          className="font-mono text-xs"
          autoFocus
          maxLength={300}
        />
        <div className="flex gap-2">
          <Button size="sm" type="submit" busy={save.isPending}>
            {t("consoleSave")}
          </Button>
          <Button
            size="sm"
            variant="secondary"
            type="button"
            onClick={() => {
              setDraft(null);
              setError(null);
            }}
          >
            {t("consoleCancel")}
          </Button>
        </div>
      </form>
    );
  return (
    <div className="space-y-1">
      <span className="block whitespace-nowrap font-mono text-xs" data-testid="host-console-url">
        {host.consoleUrl ?? <span className="font-sans text-slate-500">{t("consoleNotSet")}</span>}
      </span>
      {canChange && (
        <Button size="sm" variant="secondary" onClick={() => setDraft(host.consoleUrl ?? "")}>
          {t("consoleEdit")}
        </Button>
      )}
    </div>
  );
}
