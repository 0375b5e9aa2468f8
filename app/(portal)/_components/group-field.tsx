"use client";
// The owner group of a lab or desktop profile, chosen in its dialogs: one of the groups the caller
// administers, or public (superAdm's; kept as an option on one that is public already).
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Select } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";

export function GroupField({
  open,
  label,
  value,
  onChange,
  error,
  hint,
  disabled,
  publicOption,
}: {
  /** The dialog is open: only then are the groups read. */
  open: boolean;
  label: string;
  /** A group id, or "" for public. */
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  disabled?: boolean;
  /** The label of the public choice; absent: not offered. */
  publicOption?: string;
}) {
  const trpc = useTRPC();
  const groups = useQuery({ ...trpc.classes.list.queryOptions(), enabled: open });
  return (
    <Select
      label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={hint}
      options={[
        ...(publicOption !== undefined ? [{ value: "", label: publicOption }] : []),
        ...(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name })),
      ]}
    />
  );
}

/**
 * Nothing chosen yet: start in the first group (a teacher's new lab or profile goes in their first class).
 * Called in the dialog after useFormDialog, so that its reset on opening runs first and this choice
 * lands on the fresh values (a child's effect would run before the reset and be undone by it).
 */
export function useStartInFirstGroup(
  open: boolean,
  enabled: boolean,
  value: string,
  choose: (groupId: string) => void,
) {
  const trpc = useTRPC();
  const groups = useQuery({ ...trpc.classes.list.queryOptions(), enabled: open });
  const firstGroup = groups.data?.[0]?.id;
  useEffect(() => {
    if (open && enabled && !value && firstGroup) choose(String(firstGroup));
    // Not on choose: a new function each render; what decides is whether a first group is known yet.
  }, [open, enabled, value, firstGroup]);
}
