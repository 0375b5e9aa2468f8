"use client";
// "Open" a lab: ask for a desktop (the one already mine there, a spare running one, or one made now)
// and go to its page (its screen) at once when it runs, else as soon as it does.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/_trpc/client";

export function useOpenDesktop(
  mine: { instanceId: string; state: string; task: string | null }[] | undefined,
) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const open = useMutation(trpc.desktops.open.mutationOptions());
  /** A desktop made for me that is still starting: go to it once it runs. */
  const [waitingFor, setWaitingFor] = useState<string | null>(null);

  const ready = waitingFor ? mine?.find((d) => d.instanceId === waitingFor) : undefined;
  useEffect(() => {
    if (ready && ready.state === "RUNNING" && !ready.task) router.push(`/desktops/${ready.instanceId}`);
  }, [ready, router]);

  const openLab = (labId: number, onError: (err: unknown) => void) =>
    open.mutate(
      { labId },
      {
        onSuccess: (d) => {
          void queryClient.invalidateQueries({ queryKey: trpc.desktops.mine.queryKey() });
          if (d.state === "RUNNING" && !d.made) router.push(`/desktops/${d.instanceId}`);
          else setWaitingFor(d.instanceId);
        },
        onError,
      },
    );
  return { openLab, opening: open.isPending ? open.variables?.labId : undefined, waitingFor };
}
