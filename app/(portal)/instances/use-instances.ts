"use client";
// The instance queries with their live refresh, and one way to fold a mutation's answer into the cache,
// so the list, the detail page and the dashboard all show the new state at once.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { InstanceView } from "@/app/_trpc/views";
import { isBusy } from "@/common/instance-states";
import { useTRPC } from "@/app/_trpc/client";

/** Fast while something is changing by itself (a build, a stop), slow when everything is settled. */
export const BUSY_REFRESH_MS = 2_000;
export const IDLE_REFRESH_MS = 10_000;

export function refreshInterval(busy: boolean): number {
  return busy ? BUSY_REFRESH_MS : IDLE_REFRESH_MS;
}

export function useInstanceList() {
  const trpc = useTRPC();
  return useQuery(
    trpc.instances.list.queryOptions(undefined, {
      refetchInterval: (q) => refreshInterval(!!q.state.data?.some(isBusy)),
    }),
  );
}

export function useInstanceCache() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  /** Shows the server's answer right away; the invalidation then fetches anything else that changed. */
  function apply(view: InstanceView) {
    queryClient.setQueryData(trpc.instances.list.queryKey(), (prev) => {
      if (!prev) return prev;
      const rest = prev.filter((i) => i.id !== view.id);
      if (view.state === "DELETED") return rest;
      const index = prev.findIndex((i) => i.id === view.id);
      if (index === -1) return [view, ...rest];
      const next = [...prev];
      next[index] = view;
      return next;
    });
    queryClient.setQueryData(trpc.instances.get.queryKey({ id: view.id }), view);
  }

  function invalidate() {
    return queryClient.invalidateQueries(trpc.instances.pathFilter());
  }

  return { apply, invalidate };
}
