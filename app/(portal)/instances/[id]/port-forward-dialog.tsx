"use client";
// "Add port forward": which guest port, reachable on which port of the instance's host. The host's
// allowed range is the server's setting, so a port outside it comes back as the field's error.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { addPortForwardInput } from "@/common/networks";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  protocol: "tcp" | "udp";
  hostPort: string;
  guestPort: string;
  nicIndex: string;
}

const EMPTY: Values = { protocol: "tcp", hostPort: "", guestPort: "", nicIndex: "0" };
const toNumber = (s: string) => (s.trim() === "" ? undefined : Number(s));

interface PortForwardDialogProps {
  open: boolean;
  instanceId: string;
  nics: readonly { nicIndex: number | null; ip: string; networkName: string }[];
  onClose: () => void;
  onDone: (message: string) => void;
}

export function PortForwardDialog({ open, instanceId, nics, onClose, onDone }: PortForwardDialogProps) {
  const t = useTranslations("instance");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  // e.g. fieldErrors.hostPort = "Already forwarded on this host." or "From 20000 to 29999."
  const form = useFormDialog({ open, initial: () => EMPTY });
  const { values, set, fieldErrors } = form;
  const create = useMutation(trpc.portForwards.create.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const input = {
      instanceId,
      protocol: values.protocol,
      hostPort: toNumber(values.hostPort),
      guestPort: toNumber(values.guestPort),
      nicIndex: Number(values.nicIndex),
    };
    const checked = form.check(addPortForwardInput, input);
    if (!checked) return;
    const created = await create.mutateAsync(checked);
    onDone(
      t("forwardAdded", {
        address: `${created.host.name}:${created.hostPort}`,
        guest: `${created.guestIp}:${created.guestPort}`,
      }),
    );
  });

  const portProps = { type: "number", inputMode: "numeric", min: 1, max: 65535, step: 1 } as const;

  return (
    <Dialog open={open} onClose={onClose} title={t("addForwardTitle")} description={t("addForwardHint")}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <div className="grid gap-4 sm:grid-cols-3">
          <Select
            label={t("colProtocol")}
            value={values.protocol}
            onChange={(e) => set("protocol", e.target.value as Values["protocol"])}
            options={[
              { value: "tcp", label: "TCP" },
              { value: "udp", label: "UDP" },
            ]}
          />
          <Input
            label={t("hostPort")}
            {...portProps}
            value={values.hostPort}
            onChange={(e) => set("hostPort", e.target.value)}
            error={fieldErrors.hostPort}
          />
          <Input
            label={t("guestPort")}
            {...portProps}
            value={values.guestPort}
            onChange={(e) => set("guestPort", e.target.value)}
            error={fieldErrors.guestPort}
          />
        </div>
        {nics.length > 1 && (
          <Select
            label={t("nic")}
            value={values.nicIndex}
            onChange={(e) => set("nicIndex", e.target.value)}
            error={fieldErrors.nicIndex}
            options={nics.map((n) => ({
              value: String(n.nicIndex ?? 0),
              label: t("nicOption", {
                name: t("nicName", { index: n.nicIndex ?? 0 }),
                ip: n.ip,
                network: n.networkName,
              }),
            }))}
          />
        )}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending}>
            {t("addForwardSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
