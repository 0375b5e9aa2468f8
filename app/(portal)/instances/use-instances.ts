"use client";
// The instance queries with their live refresh, and one way to fold a mutation's answer into the cache,
// so the list, the detail page and the dashboard all show the new state at once.
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import type { InstanceView } from "@/app/_trpc/views";
import { isBusy } from "@/common/instance-states";
import type { ListInstancesInput } from "@/common/instances";
import type { Page } from "@/common/paging";
import { useTRPC } from "@/app/_trpc/client";

/** Fast while something is changing by itself (a build, a stop), slow when everything is settled. */
export const BUSY_REFRESH_MS = 2_000;
export const IDLE_REFRESH_MS = 10_000;
export const INSTANCES_PAGE_SIZE = 50;

export function refreshInterval(busy: boolean): number {
  return busy ? BUSY_REFRESH_MS : IDLE_REFRESH_MS;
}

export type InstanceFilter = Pick<ListInstancesInput, "sort" | "order"> &
  Partial<Pick<ListInstancesInput, "search" | "state">>;

/** The instances page: pages from the server ("Load more"), filtered and sorted there. */
export function useInstanceList(filter: InstanceFilter) {
  const trpc = useTRPC();
  return useInfiniteQuery(
    trpc.instances.list.infiniteQueryOptions(
      { ...filter, limit: INSTANCES_PAGE_SIZE },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (q) => refreshInterval(!!q.state.data?.pages.some((p) => p.items.some(isBusy))),
      },
    ),
  );
}

/** The caller's own newest instances (the dashboard): one small page and how many there are. */
export function useOwnInstances(ownerId: number, limit: number) {
  const trpc = useTRPC();
  return useQuery(
    trpc.instances.list.queryOptions(
      { ownerId, limit },
      { refetchInterval: (q) => refreshInterval(!!q.state.data?.items.some(isBusy)) },
    ),
  );
}

type ListData = Page<InstanceView> | InfiniteData<Page<InstanceView>>;

/** A page with the view put in place of its old row (or without it, once deleted). */
function replaceIn(page: Page<InstanceView>, view: InstanceView): Page<InstanceView> {
  if (!page.items.some((i) => i.id === view.id)) return page;
  if (view.state === "DELETED")
    return { ...page, items: page.items.filter((i) => i.id !== view.id), total: page.total - 1 };
  return { ...page, items: page.items.map((i) => (i.id === view.id ? view : i)) };
}

export function useInstanceCache() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  /**
   * Shows the server's answer right away in every cached list and the detail; the invalidation then
   * fetches anything else that changed (a new instance's place in a sorted, filtered list is the server's
   * to say).
   */
  function apply(view: InstanceView) {
    queryClient.setQueriesData<ListData>(trpc.instances.list.pathFilter(), (prev) => {
      if (!prev) return prev;
      if ("pages" in prev) return { ...prev, pages: prev.pages.map((p) => replaceIn(p, view)) };
      return replaceIn(prev, view);
    });
    queryClient.setQueryData(trpc.instances.get.queryKey({ id: view.id }), view);
  }

  function invalidate() {
    return queryClient.invalidateQueries(trpc.instances.pathFilter());
  }

  return { apply, invalidate };
}
