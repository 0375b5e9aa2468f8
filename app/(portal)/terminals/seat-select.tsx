"use client";
// The seat of a terminal, picked by name among the chosen lab's desktops (or none: the lab's sign-in).
// A desktop handed out to a student is listed but not choosable (whoever sits at the terminal would see
// their screen); one other terminals sit at already says so. The server checks the seat again.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Select } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import type { SeatChoiceView } from "@/app/_trpc/views";

interface Props {
  /** "" while no lab is chosen. */
  labId: string;
  terminalId: string;
  value: string;
  onChange: (seat: string) => void;
  enabled: boolean;
}

export function SeatSelect({ labId, terminalId, value, onChange, enabled }: Props) {
  const t = useTranslations("terminals");
  const trpc = useTRPC();
  const choices = useQuery(
    trpc.terminals.seatChoices.queryOptions({ labId: Number(labId) }, { enabled: enabled && !!labId }),
  );
  const label = (d: SeatChoiceView) => {
    const others = d.seatOf.filter((s) => s.id !== terminalId).map((s) => s.name);
    if (d.handedOut) return t("seatHandedOut", { name: d.name });
    if (others.length) return t("seatAlsoAt", { name: d.name, terminals: others.join(", ") });
    return d.name;
  };
  const listed = choices.data ?? [];
  // A seat that is no longer among the lab's desktops (deleted since) stays visible until it is changed.
  const missing = value && choices.data && !listed.some((d) => d.id === value);
  const hint = !labId
    ? t("seatChooseLabFirst")
    : choices.isPending
      ? t("seatLoading")
      : choices.isError
        ? t("seatLoadFailed")
        : listed.length === 0
          ? t("seatNoDesktops")
          : t("seatHint");
  return (
    <Select
      label={t("seat")}
      value={value}
      disabled={!labId || choices.isPending}
      hint={hint}
      onChange={(e) => onChange(e.target.value)}
      options={[
        { value: "", label: t("seatNone") },
        ...listed.map((d) => ({ value: d.id, label: label(d), disabled: d.handedOut && d.id !== value })),
        ...(missing ? [{ value, label: t("seatGone") }] : []),
      ]}
    />
  );
}
