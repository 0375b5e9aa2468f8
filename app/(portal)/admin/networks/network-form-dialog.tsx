"use client";
// "New network". Checked in the browser with the server's own schema first; what only the server can
// know (an overlapping CIDR, a taken name or VLAN) comes back as fieldErrors and lands on its field.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { createNetworkInput, NETWORK_KINDS } from "@/common/networks";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import type { FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";
import { HostChoice, hostIdsFor, type HostChoiceValue } from "./host-choice";
import { cidrProblem, collapseArrayErrors, parseDnsList, toNumber } from "./network-input";
import { NatCheckbox } from "./nat-checkbox";

interface Values {
  name: string;
  cidr: string;
  gateway: string;
  dns: string;
  vlanId: string;
  uplink: string;
  kind: (typeof NETWORK_KINDS)[number];
  nat: boolean;
  hosts: HostChoiceValue;
}

const EMPTY: Values = {
  name: "",
  cidr: "",
  gateway: "",
  dns: "",
  vlanId: "",
  uplink: "",
  kind: "tenant",
  nat: true,
  hosts: { all: true, hostIds: [] },
};

interface NetworkFormDialogProps {
  open: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function NetworkFormDialog({ open, onClose, onDone }: NetworkFormDialogProps) {
  const t = useTranslations("networks");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  // e.g. fieldErrors.cidr = "10.0.0.0/25 overlaps the network lab (10.0.0.0/24)." from the server.
  const form = useFormDialog({
    open,
    initial: () => EMPTY,
    fields: ["name", "cidr", "gateway", "dnsServers", "vlanId", "uplink", "hostIds"],
    serverFields: (errors) => collapseArrayErrors(errors, ["dnsServers", "hostIds"]),
  });
  const { values, set, fieldErrors, tv } = form;
  const hosts = useQuery({ ...trpc.hosts.list.queryOptions(), enabled: open });
  const create = useMutation(trpc.networks.create.mutationOptions());

  /** The schema's English texts for rules of this form only, said in the reader's language. */
  function localize(errors: FieldErrors): FieldErrors {
    const out = { ...errors };
    for (const key of Object.keys(out)) {
      if (key === "gateway" || key.startsWith("dnsServers.")) out[key] = t("ipv4Format");
    }
    const cidr = out.cidr ? cidrProblem(values.cidr) : null;
    if (cidr) out.cidr = t(`cidrProblems.${cidr.key}`, cidr.values);
    if (out.uplink) out.uplink = values.uplink.trim() ? t("uplinkFormat") : t("vlanNeedsUplink");
    return collapseArrayErrors(out, ["dnsServers", "hostIds"]);
  }

  const onSubmit = form.handleSubmit(async () => {
    const hostIds = hostIdsFor(values.hosts);
    const input = {
      name: values.name,
      cidr: values.cidr,
      gateway: values.gateway.trim() || undefined,
      dnsServers: parseDnsList(values.dns),
      vlanId: values.vlanId.trim() === "" ? null : toNumber(values.vlanId),
      uplink: values.uplink.trim() || null,
      kind: values.kind,
      nat: values.nat,
      hostIds: hostIds ?? [],
    };
    const checked = form.check(createNetworkInput, input, {
      format: { name: tv("flavorNameFormat") },
      adjust: (errors) => {
        const out = localize(errors);
        if (hostIds === null) out.hostIds = t("chooseHost");
        return out;
      },
    });
    if (!checked) return;
    const created = await create.mutateAsync(checked);
    onDone(t("created", { name: created.name, cidr: created.cidr }));
  });

  return (
    <Dialog open={open} onClose={onClose} title={t("createTitle")} description={t("createHint")} size="lg">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={t("name")}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            error={fieldErrors.name}
          />
          <Select
            label={t("kind")}
            value={values.kind}
            onChange={(e) => set("kind", e.target.value as Values["kind"])}
            hint={t(`kindHints.${values.kind}`)}
            options={NETWORK_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
          />
          <Input
            label={t("cidr")}
            placeholder="10.20.0.0/24"
            autoComplete="off"
            spellCheck={false}
            inputMode="decimal"
            value={values.cidr}
            onChange={(e) => set("cidr", e.target.value)}
            error={fieldErrors.cidr}
            hint={t("cidrHint")}
          />
          <Input
            label={t("gateway")}
            placeholder={t("gatewayPlaceholder")}
            autoComplete="off"
            spellCheck={false}
            inputMode="decimal"
            value={values.gateway}
            onChange={(e) => set("gateway", e.target.value)}
            error={fieldErrors.gateway}
            hint={t("gatewayHint")}
          />
        </div>
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
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={t("vlanId")}
            type="number"
            inputMode="numeric"
            min={1}
            max={4094}
            step={1}
            value={values.vlanId}
            onChange={(e) => set("vlanId", e.target.value)}
            error={fieldErrors.vlanId}
            hint={t("vlanHint")}
          />
          <Input
            label={t("uplink")}
            placeholder="eth1"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={values.uplink}
            onChange={(e) => set("uplink", e.target.value)}
            error={fieldErrors.uplink}
            hint={t("uplinkHint")}
          />
        </div>
        <NatCheckbox checked={values.nat} onChange={(nat) => set("nat", nat)} />
        <HostChoice
          hosts={hosts.data}
          value={values.hosts}
          onChange={(v) => set("hosts", v)}
          error={fieldErrors.hostIds}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending}>
            {t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
