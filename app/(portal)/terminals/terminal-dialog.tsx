"use client";
// Approve a pending terminal into a lab (optionally seated at one desktop), or edit an approved one:
// name, lab, seat (picked among the lab's desktops), keyboard layout. The labs offered are those the
// caller may manage; the server checks again (and that a seat is a spare desktop of the lab's pools).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { PROFILE_KEYBOARD_LAYOUTS } from "@/common/profiles";
import { SeatSelect } from "./seat-select";
import type { TerminalItem } from "./terminals-admin";

interface Props {
  open: boolean;
  mode: "approve" | "edit";
  terminal: TerminalItem | null;
  onClose: () => void;
  onSaved: () => void;
}

export function TerminalDialog({ open, mode, terminal, onClose, onSaved }: Props) {
  const t = useTranslations("terminals");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const labs = useQuery(trpc.labs.list.queryOptions(undefined, { enabled: open }));
  const [name, setName] = useState("");
  const [labId, setLabId] = useState("");
  const [seat, setSeat] = useState("");
  const [keyboard, setKeyboard] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open || !terminal) return;
    setName(terminal.name);
    setLabId(terminal.lab ? String(terminal.lab.id) : "");
    setSeat(terminal.seatInstanceId ?? "");
    setKeyboard(terminal.keyboardLayout ?? "");
    setError(null);
  }, [open, terminal]);
  const handlers = { onSuccess: onSaved, onError: (e: unknown) => setError(errorText(e)) };
  const approve = useMutation(trpc.terminals.approve.mutationOptions(handlers));
  const update = useMutation(trpc.terminals.update.mutationOptions(handlers));
  const busy = approve.isPending || update.isPending;

  function submit() {
    if (!terminal) return;
    if (!labId) return setError(t("chooseLab"));
    const seatInstanceId = seat || null;
    if (mode === "approve")
      approve.mutate({
        id: terminal.id,
        labId: Number(labId),
        name: name.trim() || undefined,
        seatInstanceId,
      });
    else
      update.mutate({
        id: terminal.id,
        name: name.trim() || undefined,
        labId: Number(labId),
        seatInstanceId,
        keyboardLayout: keyboard ? (keyboard as (typeof PROFILE_KEYBOARD_LAYOUTS)[number]) : null,
      });
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={terminal ? t(mode === "approve" ? "approveTitle" : "editTitle", { name: terminal.name }) : ""}
      description={
        mode === "approve" && terminal
          ? `${t("approveHint")} ${t("code")}: ${terminal.id.slice(0, 8)}`
          : undefined
      }
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Input label={t("name")} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
        <Select
          label={t("lab")}
          value={labId}
          onChange={(e) => {
            // A seat is a desktop of the lab: another lab's would be refused.
            setLabId(e.target.value);
            setSeat("");
          }}
          options={[
            { value: "", label: t("chooseLab") },
            ...(labs.data ?? []).map((l) => ({ value: String(l.id), label: l.name })),
          ]}
        />
        <SeatSelect
          labId={labId}
          terminalId={terminal?.id ?? ""}
          value={seat}
          onChange={setSeat}
          enabled={open}
        />
        {mode === "edit" && (
          <Select
            label={t("keyboard")}
            value={keyboard}
            onChange={(e) => setKeyboard(e.target.value)}
            options={[
              { value: "", label: t("keyboardFromProfile") },
              ...PROFILE_KEYBOARD_LAYOUTS.map((k) => ({ value: k, label: k })),
            ]}
          />
        )}
        <FormError message={error} />
        <DialogActions>
          <Button type="button" variant="secondary" onClick={onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={busy}>
            {mode === "approve" ? t("approve") : t("save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
