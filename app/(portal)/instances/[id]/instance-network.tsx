"use client";
// The instance's network side: its NICs (address and MAC from IPAM) and the port forwards that make a
// guest port reachable from outside as <host>:<port>. Forwards are for powerUser and up; the server
// checks that again, and that the instance is theirs.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { PortForwardView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import type { ActionMessage } from "../instance-actions";
import { PortForwardDialog } from "./port-forward-dialog";

export interface NetworkPermissions {
  addForward: boolean;
  removeForward: boolean;
}

interface InstanceNetworkProps {
  instanceId: string;
  /** Forwards need a host: none can be added before the instance is placed, or while it is going away. */
  canForward: boolean;
  allowed: NetworkPermissions;
  onMessage: (message: ActionMessage | null) => void;
  className?: string;
}

export function InstanceNetwork({
  instanceId,
  canForward,
  allowed,
  onMessage,
  className = "",
}: InstanceNetworkProps) {
  const t = useTranslations("instance");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<PortForwardView | null>(null);
  const nics = useQuery(trpc.instances.nics.queryOptions({ id: instanceId }));
  const forwards = useQuery(trpc.portForwards.list.queryOptions({ instanceId }));
  const remove = useMutation(trpc.portForwards.delete.mutationOptions());
  const hasNics = (nics.data?.length ?? 0) > 0;

  const refreshForwards = () =>
    queryClient.invalidateQueries({ queryKey: trpc.portForwards.list.queryKey({ instanceId }) });

  async function onRemove(f: PortForwardView) {
    try {
      await remove.mutateAsync({ id: f.id });
      onMessage({ tone: "success", text: t("forwardRemoved", { address: `${f.host.name}:${f.hostPort}` }) });
    } catch (err) {
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      setRemoving(null);
      void refreshForwards();
    }
  }

  const forwardColumns = allowed.removeForward ? 4 : 3;

  return (
    <Card className={className} aria-labelledby="instance-network-heading">
      <h2
        id="instance-network-heading"
        className="mb-3 text-base font-semibold text-slate-900 dark:text-slate-100"
      >
        {t("network")}
      </h2>
      {nics.isError && (
        <QueryError error={nics.error} onRetry={() => void nics.refetch()} retrying={nics.isFetching} />
      )}
      <Table caption={t("nicsCaption")}>
        <THead>
          <Th>{t("colInterface")}</Th>
          <Th>{t("colIp")}</Th>
          <Th>{t("colMac")}</Th>
          <Th>{t("colNetwork")}</Th>
        </THead>
        <TBody>
          {nics.isPending ? (
            <TableMessage colSpan={4}>{tc("loading")}</TableMessage>
          ) : !hasNics ? (
            <TableMessage colSpan={4}>{t("nicsEmpty")}</TableMessage>
          ) : (
            nics.data!.map((n) => (
              <Tr key={n.id} data-testid="nic-row">
                <Td className="whitespace-nowrap font-mono text-xs">
                  {t("nicName", { index: n.nicIndex ?? 0 })}
                </Td>
                <Td className="whitespace-nowrap font-mono text-xs">{n.ip}</Td>
                <Td className="whitespace-nowrap font-mono text-xs">{n.mac}</Td>
                <Td className="whitespace-nowrap">
                  {n.networkName}{" "}
                  <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{n.cidr}</span>
                </Td>
              </Tr>
            ))
          )}
        </TBody>
      </Table>

      {hasNics && (
        <div className="mt-5">
          <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
            <div>
              <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{t("forwards")}</h3>
              <p className="text-xs text-slate-500 dark:text-slate-400">{t("forwardsHint")}</p>
            </div>
            {allowed.addForward && canForward && (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => {
                  onMessage(null);
                  setAdding(true);
                }}
              >
                {t("addForward")}
              </Button>
            )}
          </div>
          {forwards.isError && (
            <QueryError
              error={forwards.error}
              onRetry={() => void forwards.refetch()}
              retrying={forwards.isFetching}
            />
          )}
          <Table caption={t("forwards")}>
            <THead>
              <Th>{t("colReachAt")}</Th>
              <Th>{t("colGuest")}</Th>
              <Th>{t("colProtocol")}</Th>
              {allowed.removeForward && <Th className="text-right">{t("colActions")}</Th>}
            </THead>
            <TBody>
              {forwards.isPending ? (
                <TableMessage colSpan={forwardColumns}>{tc("loading")}</TableMessage>
              ) : !forwards.data?.length ? (
                <TableMessage colSpan={forwardColumns}>{t("forwardsEmpty")}</TableMessage>
              ) : (
                forwards.data.map((f) => (
                  <Tr key={f.id} data-testid="forward-row">
                    <Td
                      className="whitespace-nowrap font-mono text-xs"
                      data-testid="forward-address"
                    >{`${f.host.name}:${f.hostPort}`}</Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{`${f.guestIp}:${f.guestPort}`}</Td>
                    <Td className="uppercase">{f.protocol}</Td>
                    {allowed.removeForward && (
                      <Td className="text-right">
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700 dark:text-red-400"
                          onClick={() => {
                            onMessage(null);
                            setRemoving(f);
                          }}
                        >
                          {t("removeForward")}
                        </Button>
                      </Td>
                    )}
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
        </div>
      )}

      {allowed.addForward && (
        <PortForwardDialog
          open={adding}
          instanceId={instanceId}
          nics={nics.data ?? []}
          onClose={() => setAdding(false)}
          onDone={(text) => {
            setAdding(false);
            onMessage({ tone: "success", text });
            void refreshForwards();
          }}
        />
      )}
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={
          removing ? t("removeForwardTitle", { address: `${removing.host.name}:${removing.hostPort}` }) : ""
        }
        description={t("removeForwardBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setRemoving(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => removing && void onRemove(removing)}
          >
            {t("removeForwardConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}
