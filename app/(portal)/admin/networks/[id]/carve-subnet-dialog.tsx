"use client";
// "Carve subnet": a block of 8–64 addresses for an owner (a lab, a project, a stack). It is only
// reserved until confirmed: if nobody confirms it within the timeout, it returns to the pool.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { carveSubnetInput, SUBNET_SIZES } from "@/common/networks";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import { toNumber } from "../network-input";

interface Values {
  owner: string;
  size: string;
  timeout: string;
}

const EMPTY: Values = { owner: "", size: "64", timeout: "" };

interface CarveSubnetDialogProps {
  open: boolean;
  network: { id: string; name: string };
  onClose: () => void;
  onDone: (message: string) => void;
}

export function CarveSubnetDialog({ open, network, onClose, onDone }: CarveSubnetDialogProps) {
  const t = useTranslations("network");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  // e.g. fieldErrors.owner = "Already has a subnet here.", or "lab has no free block of 64 addresses left."
  const form = useFormDialog({
    open,
    initial: () => EMPTY,
    fields: ["owner", "size", "timeoutSeconds"],
  });
  const { values, set, fieldErrors } = form;
  const carve = useMutation(trpc.ipam.carveSubnet.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const input = {
      networkId: network.id,
      owner: values.owner,
      size: Number(values.size),
      timeoutSeconds: toNumber(values.timeout),
    };
    const checked = form.check(carveSubnetInput, input, { format: { owner: t("ownerFormat") } });
    if (!checked) return;
    const subnet = await carve.mutateAsync(checked);
    onDone(t("carved", { cidr: subnet.cidr, owner: subnet.owner }));
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("carveTitle", { name: network.name })}
      description={t("carveHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("owner")}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={values.owner}
          onChange={(e) => set("owner", e.target.value)}
          error={fieldErrors.owner}
          hint={t("ownerHint")}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Select
            label={t("size")}
            value={values.size}
            onChange={(e) => set("size", e.target.value)}
            error={fieldErrors.size}
            options={SUBNET_SIZES.map((n) => ({
              value: String(n),
              label: t("sizeOption", { size: n, usable: n - 2 }),
            }))}
          />
          <Input
            label={t("timeout")}
            type="number"
            inputMode="numeric"
            min={5}
            max={86400}
            step={1}
            value={values.timeout}
            onChange={(e) => set("timeout", e.target.value)}
            error={fieldErrors.timeoutSeconds}
            hint={t("timeoutHint")}
          />
        </div>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={carve.isPending}>
            {t("carveSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
