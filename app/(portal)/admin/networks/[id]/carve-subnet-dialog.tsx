"use client";
// "Carve subnet": a block of 8–64 addresses for an owner (a lab, a project, a stack). It is only
// reserved until confirmed: if nobody confirms it within the timeout, it returns to the pool.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import { SUBNET_SIZES } from "@/common/networks";
import { carveSubnetInput } from "@/common/networks";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
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
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [values, setValues] = useState<Values>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const carve = useMutation(trpc.ipam.carveSubnet.mutationOptions());

  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setFieldErrors({});
    setError(null);
  }, [open]);

  const set = <K extends keyof Values>(k: K, v: Values[K]) => setValues((prev) => ({ ...prev, [k]: v }));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const input = {
      networkId: network.id,
      owner: values.owner,
      size: Number(values.size),
      timeoutSeconds: toNumber(values.timeout),
    };
    const checked = validate(carveSubnetInput, input, tv, {}, { owner: t("ownerFormat") });
    setFieldErrors(checked.errors ?? {});
    if (!checked.data) return;
    try {
      const subnet = await carve.mutateAsync(checked.data);
      onDone(t("carved", { cidr: subnet.cidr, owner: subnet.owner }));
    } catch (err) {
      // e.g. fieldErrors.owner = "Already has a subnet here.", or "lab has no free block of 64 addresses left."
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("carveTitle", { name: network.name })}
      description={t("carveHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
          </Alert>
        )}
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
