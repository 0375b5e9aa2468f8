"use client";
// Before the join command: which cluster the new host lands in. The token carries the choice, so the
// host cannot pick another (the portal reads it from the token when the host joins).
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ClusterView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { kindLabel } from "../clusters/cluster-form-dialog";

export function JoinClusterDialog({
  open,
  clusters,
  busy,
  error,
  onCreate,
  onClose,
}: {
  open: boolean;
  clusters: readonly ClusterView[];
  busy: boolean;
  error: string | null;
  onCreate: (clusterId: number | null) => void;
  onClose: () => void;
}) {
  const t = useTranslations("hosts");
  const tk = useTranslations("clusters");
  const tc = useTranslations("common");
  const [value, setValue] = useState("");
  return (
    <Dialog open={open} onClose={onClose} title={t("joinTitle")} description={t("joinClusterExplain")}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          onCreate(value === "" ? null : Number(value));
        }}
      >
        <FormError message={error} />
        <Select
          label={t("joinCluster")}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          options={[
            { value: "", label: t("noCluster") },
            ...clusters.map((c) => ({ value: String(c.id), label: `${c.name} — ${kindLabel(tk, c.kind)}` })),
          ]}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={busy}>
            {t("joinCreate")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
