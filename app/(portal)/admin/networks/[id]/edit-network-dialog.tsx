"use client";
// "Edit network": only what can change under running VMs (DNS, NAT, which hosts carry it). The
// address space and VLAN are fixed: changing them would renumber or cut off every instance on it.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { NetworkView } from "@/app/_trpc/views";
import { updateNetworkInput } from "@/common/networks";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
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
  const trpc = useTRPC();
  // Filled from the network as it is when the dialog opens, not re-synced by the page's polling while typing.
  const form = useFormDialog({
    open,
    initial: () => initialValues(network),
    fields: ["dnsServers", "hostIds"],
    serverFields: (errors) => collapseArrayErrors(errors, ["dnsServers", "hostIds"]),
  });
  const { values, set, fieldErrors } = form;
  const update = useMutation(trpc.networks.update.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const hostIds = hostIdsFor(values.hosts);
    const input = {
      id: network.id,
      dnsServers: parseDnsList(values.dns),
      nat: values.nat,
      hostIds: hostIds ?? [],
    };
    const checked = form.check(updateNetworkInput, input, {
      adjust: (errors) => {
        const reworded = Object.fromEntries(
          Object.entries(errors).map(([k, v]) => [k, k.startsWith("dnsServers.") ? t("ipv4Format") : v]),
        );
        const collapsed = collapseArrayErrors(reworded, ["dnsServers", "hostIds"]);
        if (hostIds === null) collapsed.hostIds = t("chooseHost");
        return collapsed;
      },
    });
    if (!checked) return;
    const saved = await update.mutateAsync(checked);
    onDone(tn("updated", { name: saved.name }));
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={tn("editTitle", { name: network.name })}
      description={tn("editHint")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
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
