"use client";
// "Edit network": only what can change under running VMs (DNS, NAT, which hosts carry it). The
// address space and VLAN are fixed: changing them would renumber or cut off every instance on it.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { NetworkView } from "@/app/_trpc/views";
import { updateNetworkInput } from "@/common/networks";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";
import { HostChoice, hostIdsFor, type HostChoiceValue } from "../host-choice";
import { NatCheckbox } from "../nat-checkbox";
import { collapseArrayErrors, formatDnsList, parseDnsList } from "../network-input";

interface Values {
  dns: string;
  nat: boolean;
  hosts: HostChoiceValue;
}

const initialValues = (n: NetworkView): Values => ({
  dns: formatDnsList(n.dnsServers),
  nat: n.nat,
  hosts: { all: n.allHosts, hostIds: n.hostIds },
});

interface EditNetworkDialogProps {
  open: boolean;
  network: NetworkView;
  hosts: readonly { id: string; name: string }[] | undefined;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function EditNetworkDialog({ open, network, hosts, onClose, onDone }: EditNetworkDialogProps) {
  const t = useTranslations("networks");
  const tn = useTranslations("network");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [values, setValues] = useState<Values>(() => initialValues(network));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(trpc.networks.update.mutationOptions());

  // Filled from the network as it is when the dialog opens, not re-synced by the page's polling while typing.
  useEffect(() => {
    if (!open) return;
    setValues(initialValues(network));
    setFieldErrors({});
    setError(null);
  }, [open]);

  const set = <K extends keyof Values>(k: K, v: Values[K]) => setValues((prev) => ({ ...prev, [k]: v }));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const hostIds = hostIdsFor(values.hosts);
    const input = {
      id: network.id,
      dnsServers: parseDnsList(values.dns),
      nat: values.nat,
      hostIds: hostIds ?? [],
    };
    const checked = validate(updateNetworkInput, input, tv);
    const errors = Object.fromEntries(
      Object.entries(checked.errors ?? {}).map(([k, v]) => [
        k,
        k.startsWith("dnsServers.") ? t("ipv4Format") : v,
      ]),
    );
    const collapsed = collapseArrayErrors(errors, ["dnsServers", "hostIds"]);
    if (hostIds === null) collapsed.hostIds = t("chooseHost");
    setFieldErrors(collapsed);
    if (!checked.data || Object.keys(collapsed).length) return;
    try {
      const saved = await update.mutateAsync(checked.data);
      onDone(tn("updated", { name: saved.name }));
    } catch (err) {
      setFieldErrors(collapseArrayErrors(readError(err).fieldErrors, ["dnsServers", "hostIds"]));
      setError(errorText(err));
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={tn("editTitle", { name: network.name })}
      description={tn("editHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
          </Alert>
        )}
        <Input
          label={t("dnsServers")}
          placeholder="1.1.1.1, 9.9.9.9"
          autoComplete="off"
          spellCheck={false}
          value={values.dns}
          onChange={(e) => set("dns", e.target.value)}
          error={fieldErrors.dnsServers}
          hint={t("dnsHint")}
        />
        <NatCheckbox checked={values.nat} onChange={(nat) => set("nat", nat)} />
        <HostChoice
          hosts={hosts}
          value={values.hosts}
          onChange={(v) => set("hosts", v)}
          error={fieldErrors.hostIds}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={update.isPending}>
            {tn("saveChanges")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
