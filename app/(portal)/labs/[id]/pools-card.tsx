"use client";
// The lab's desktop pools: for a profile the lab may use, `size` desktops of which `spare` are kept
// started and unassigned (and `idle size` outside lessons). Start and stop; live counts of running,
// spare and handed-out desktops while the page is open.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { createPoolInput, updatePoolInput } from "@/common/pools";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { LabDetailView, PoolView } from "@/app/_trpc/views";
import type { Flash } from "../../_components/resource-detail";

export function PoolsCard({
  lab,
  onFlash,
  onChanged,
}: {
  lab: LabDetailView;
  onFlash: (f: Flash) => void;
  onChanged: () => Promise<unknown>;
}) {
  const t = useTranslations("labs");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [editing, setEditing] = useState<PoolView | "new" | null>(null);
  const [deleting, setDeleting] = useState<PoolView | null>(null);
  const pools = useQuery(
    trpc.pools.list.queryOptions(
      { labId: lab.id },
      // A running pool fills and refills by itself: follow it live.
      {
        refetchInterval: (q) =>
          q.state.data?.some((p) => p.state === "running" || p.desktops > 0) ? 3000 : false,
      },
    ),
  );
  const classroom = useQuery(
    trpc.desktops.classroom.queryOptions(
      { labId: lab.id },
      { refetchInterval: pools.data?.some((p) => p.desktops > 0) ? 3000 : false },
    ),
  );
  const start = useMutation(trpc.pools.start.mutationOptions());
  const stop = useMutation(trpc.pools.stop.mutationOptions());
  const remove = useMutation(trpc.pools.delete.mutationOptions());
  const after = (text: string) => ({
    onSuccess: () => {
      onFlash({ tone: "success", text });
      void pools.refetch();
      void onChanged();
    },
    onError: (err: unknown) => onFlash({ tone: "error", text: errorText(err) }),
  });
  const runningOf = (poolId: number) =>
    classroom.data?.desktops.filter((d) => d.poolId === poolId && d.state === "RUNNING").length ?? 0;
  const usable = lab.profiles.filter((p) => !pools.data?.some((x) => x.profileId === p.id));

  return (
    <Card aria-labelledby="pools-heading" data-testid="pools-card">
      <div id="pools-heading">
        <CardHeader
          title={t("pools")}
          aside={
            <Button size="sm" onClick={() => setEditing("new")} disabled={usable.length === 0}>
              {t("newPool")}
            </Button>
          }
        />
      </div>
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">{t("poolsHint")}</p>
      <Table caption={t("pools")}>
        <THead>
          <Th>{t("colProfile")}</Th>
          <Th>{t("colState")}</Th>
          <Th>{t("colSize")}</Th>
          <Th>{t("colRunning")}</Th>
          <Th>{t("colSpare")}</Th>
          <Th>{t("colAssigned")}</Th>
          <Th>
            <span className="sr-only">{t("colActions")}</span>
          </Th>
        </THead>
        <TBody>
          {pools.isPending ? (
            <TableMessage colSpan={7}>{tc("loading")}</TableMessage>
          ) : !pools.data?.length ? (
            <TableMessage colSpan={7}>
              {lab.profiles.length ? t("noPools") : t("noPoolsNoProfiles")}
            </TableMessage>
          ) : (
            pools.data.map((p) => (
              <Tr key={p.id} data-testid="pool-row">
                <Td className="min-w-40 font-medium">{p.profileName}</Td>
                <Td>
                  <Badge tone={p.state === "running" ? "success" : "neutral"}>
                    {t(`poolState.${p.state}`)}
                  </Badge>
                </Td>
                <Td className="whitespace-nowrap tabular-nums">
                  {t("sizeSummary", { size: p.size, spare: p.spare, idle: p.idleSize })}
                </Td>
                <Td className="tabular-nums" data-testid="pool-running">
                  {runningOf(p.id)} / {p.desktops}
                </Td>
                <Td className="tabular-nums" data-testid="pool-spare">
                  {p.spareReady}
                </Td>
                <Td className="tabular-nums" data-testid="pool-assigned">
                  {p.assigned}
                </Td>
                <Td className="text-right whitespace-nowrap">
                  <span className="inline-flex gap-1">
                    {p.state === "running" ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        busy={stop.isPending && stop.variables?.id === p.id}
                        onClick={() =>
                          stop.mutate({ id: p.id }, after(t("poolStopped", { profile: p.profileName })))
                        }
                      >
                        {t("stopPool")}
                      </Button>
                    ) : (
                      <Button
                        size="sm"
                        busy={start.isPending && start.variables?.id === p.id}
                        onClick={() =>
                          start.mutate({ id: p.id }, after(t("poolStarted", { profile: p.profileName })))
                        }
                      >
                        {t("startPool")}
                      </Button>
                    )}
                    <Button size="sm" variant="ghost" onClick={() => setEditing(p)}>
                      {t("editPool")}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setDeleting(p)}>
                      {t("deletePool")}
                    </Button>
                  </span>
                </Td>
              </Tr>
            ))
          )}
        </TBody>
      </Table>
      <PoolDialog
        lab={lab}
        pool={editing}
        profiles={editing === "new" ? usable : lab.profiles}
        onClose={() => setEditing(null)}
        onSaved={(text) => {
          onFlash({ tone: "success", text });
          void pools.refetch();
          void onChanged();
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t("deletePoolTitle", { profile: deleting?.profileName ?? "" })}
        body={t("deletePoolBody")}
        confirmLabel={t("deletePool")}
        busy={remove.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          const p = deleting!;
          remove.mutate(
            { id: p.id },
            {
              ...after(t("poolDeleted", { profile: p.profileName })),
              onSettled: () => setDeleting(null),
            },
          );
        }}
      />
    </Card>
  );
}

function PoolDialog({
  lab,
  pool,
  profiles,
  onClose,
  onSaved,
}: {
  lab: LabDetailView;
  pool: PoolView | "new" | null;
  profiles: LabDetailView["profiles"];
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const t = useTranslations("labs");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const create = useMutation(trpc.pools.create.mutationOptions());
  const update = useMutation(trpc.pools.update.mutationOptions());
  const existing = pool !== "new" && pool !== null ? pool : null;
  const form = useFormDialog({
    open: pool !== null,
    initial: () => ({
      profileId: existing ? String(existing.profileId) : String(profiles[0]?.id ?? ""),
      size: String(existing?.size ?? lab.seats),
      spare: String(existing?.spare ?? Math.min(lab.seats, 5)),
      idleSize: String(existing?.idleSize ?? 0),
    }),
    resetOn: [pool === "new" ? "new" : existing?.id],
  });
  const { values, set, fieldErrors } = form;
  const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

  const onSubmit = form.handleSubmit(async () => {
    const sizes = { size: num(values.size), spare: num(values.spare), idleSize: num(values.idleSize) };
    if (existing) {
      const checked = form.check(updatePoolInput, { id: existing.id, ...sizes });
      if (!checked) return;
      await update.mutateAsync(checked);
      onSaved(t("poolSaved", { profile: existing.profileName }));
    } else {
      const checked = form.check(
        createPoolInput,
        { labId: lab.id, profileId: num(values.profileId), ...sizes },
        { required: { profileId: t("chooseProfile") } },
      );
      if (!checked) return;
      await create.mutateAsync(checked);
      onSaved(t("poolCreated"));
    }
    onClose();
  });

  return (
    <Dialog
      open={pool !== null}
      onClose={onClose}
      title={existing ? t("editPoolTitle", { profile: existing.profileName }) : t("newPoolTitle")}
      description={t("poolDialogBody", { seats: lab.seats })}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {!existing && (
          <Select
            label={t("profile")}
            value={values.profileId}
            onChange={(e) => set("profileId", e.target.value)}
            error={fieldErrors.profileId}
            options={profiles.map((p) => ({ value: String(p.id), label: p.name }))}
          />
        )}
        <div className="grid gap-4 sm:grid-cols-3">
          <Input
            label={t("poolSize")}
            type="number"
            min={1}
            max={lab.seats}
            value={values.size}
            onChange={(e) => set("size", e.target.value)}
            error={fieldErrors.size}
          />
          <Input
            label={t("poolSpare")}
            type="number"
            min={0}
            value={values.spare}
            onChange={(e) => set("spare", e.target.value)}
            error={fieldErrors.spare}
          />
          <Input
            label={t("poolIdle")}
            type="number"
            min={0}
            value={values.idleSize}
            onChange={(e) => set("idleSize", e.target.value)}
            error={fieldErrors.idleSize}
          />
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t("poolSizesHint")}</p>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={form.submitting}>
            {existing ? t("save") : t("createPool")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
