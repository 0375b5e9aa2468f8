"use client";
// An address for infrastructure (a router, a printer, a controller): taken from the network's free
// pool, or from one of its live subnets, and labelled so the next admin knows what it is.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { SubnetView } from "@/app/_trpc/views";
import { allocateAddressInput } from "@/common/networks";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";

interface AllocateAddressDialogProps {
  open: boolean;
  network: { id: string; name: string };
  subnets: SubnetView[];
  onClose: () => void;
  onDone: (message: string) => void;
}

export function AllocateAddressDialog({
  open,
  network,
  subnets,
  onClose,
  onDone,
}: AllocateAddressDialogProps) {
  const t = useTranslations("network");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [label, setLabel] = useState("");
  const [subnetId, setSubnetId] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const allocate = useMutation(trpc.ipam.allocateAddress.mutationOptions());
  // Expired subnets have given their block back: nothing can be taken from them.
  const live = subnets.filter((s) => s.state !== "expired");

  useEffect(() => {
    if (!open) return;
    setLabel("");
    setSubnetId("");
    setFieldErrors({});
    setError(null);
  }, [open]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const input = { networkId: network.id, label, subnetId: subnetId ? Number(subnetId) : undefined };
    const checked = validate(allocateAddressInput, input, tv, { label: t("labelRequired") });
    setFieldErrors(checked.errors ?? {});
    if (!checked.data) return;
    try {
      const address = await allocate.mutateAsync(checked.data);
      onDone(t("allocated", { ip: address.ip, label: address.label ?? "" }));
    } catch (err) {
      // e.g. "The network lab (10.0.0.0/24) is full: no free address left."
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("allocateTitle", { name: network.name })}
      description={t("allocateHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
          </Alert>
        )}
        <Input
          label={t("label")}
          autoComplete="off"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={fieldErrors.label}
          hint={t("labelHint")}
        />
        <Select
          label={t("takeFrom")}
          value={subnetId}
          onChange={(e) => setSubnetId(e.target.value)}
          error={fieldErrors.subnetId}
          options={[
            { value: "", label: t("freePool") },
            ...live.map((s) => ({
              value: String(s.id),
              label: t("subnetOption", { cidr: s.cidr, owner: s.owner }),
            })),
          ]}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={allocate.isPending}>
            {t("allocateSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
