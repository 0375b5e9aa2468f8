"use client";
// The instance's storage: its snapshots, its data volumes, and "create image" from it. What the
// caller may do is read from the permission table with their role; the server checks it again, and
// that the instance is theirs.
import { useQuery } from "@tanstack/react-query";
import type { InstanceView } from "@/app/_trpc/views";
import { can } from "@/common/permissions";
import { useTRPC } from "@/app/_trpc/client";
import type { ActionMessage } from "../instance-actions";
import { InstanceCapture } from "./instance-capture";
import { InstanceSnapshots } from "./instance-snapshots";
import { InstanceVolumes } from "./instance-volumes";

export function InstanceStorage({
  instance,
  onMessage,
}: {
  instance: InstanceView;
  onMessage: (m: ActionMessage | null) => void;
}) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const role = me.data?.role;
  if (!role || instance.state === "DELETED") return null;
  const manage = {
    snapshots: can(role, "snapshots", "create"),
    volumes: can(role, "volumes", "create"),
    capture: can(role, "instances", "capture"),
  };
  return (
    <>
      <InstanceSnapshots instance={instance} canManage={manage.snapshots} onMessage={onMessage} />
      <InstanceVolumes instance={instance} canManage={manage.volumes} onMessage={onMessage} />
      {manage.capture && <InstanceCapture instance={instance} onMessage={onMessage} />}
    </>
  );
}
