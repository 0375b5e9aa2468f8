"use client";
// An address for infrastructure (a router, a printer, a controller): taken from the network's free
// pool, or from one of its live subnets, and labelled so the next admin knows what it is.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { SubnetView } from "@/app/_trpc/views";
import { allocateAddressInput } from "@/common/networks";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
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
  const trpc = useTRPC();
  // e.g. "The network lab (10.0.0.0/24) is full: no free address left." above the form.
  const form = useFormDialog({ open, initial: () => ({ label: "", subnetId: "" }) });
  const { fieldErrors } = form;
  const { label, subnetId } = form.values;
  const allocate = useMutation(trpc.ipam.allocateAddress.mutationOptions());
  // Expired subnets have given their block back: nothing can be taken from them.
  const live = subnets.filter((s) => s.state !== "expired");

  const onSubmit = form.handleSubmit(async () => {
    const input = { networkId: network.id, label, subnetId: subnetId ? Number(subnetId) : undefined };
    const checked = form.check(allocateAddressInput, input, { required: { label: t("labelRequired") } });
    if (!checked) return;
    const address = await allocate.mutateAsync(checked);
    onDone(t("allocated", { ip: address.ip, label: address.label ?? "" }));
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("allocateTitle", { name: network.name })}
      description={t("allocateHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("label")}
          autoComplete="off"
          value={label}
          onChange={(e) => form.set("label", e.target.value)}
          error={fieldErrors.label}
          hint={t("labelHint")}
        />
        <Select
          label={t("takeFrom")}
          value={subnetId}
          onChange={(e) => form.set("subnetId", e.target.value)}
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
