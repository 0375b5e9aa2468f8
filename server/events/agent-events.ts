// The one place that knows every area which reacts to agents' events. Order matters only within one
// event type: the host records a heartbeat before its instances reconcile against it, and a state is
// written (instances) before its subscribers (networks, volumes) run.
import type { AgentEvent } from "@/agents/protocol";
import type { Database } from "@/server/db/client";
import type { JobPort } from "@/server/domain/context";
import { registerCaptureEvents } from "@/server/domain/captures/capture-instance";
import { createEventDispatcher, type EventDispatcher } from "@/server/domain/events/dispatcher";
import { registerHostEvents } from "@/server/domain/hosts/record-heartbeat";
import { registerImageEvents } from "@/server/domain/images/sync-images";
import { registerInstanceEvents } from "@/server/domain/instances/apply-instance-event";
import { registerPoolEvents } from "@/server/domain/pools/pool-events";
import { registerNetworkEvents } from "@/server/domain/networks/apply-network-event";
import { registerSnapshotEvents } from "@/server/domain/snapshots/apply-snapshot-event";
import { registerVolumeEvents } from "@/server/domain/volumes/apply-volume-event";

export function createAgentEventDispatcher(): EventDispatcher {
  return createEventDispatcher([
    registerHostEvents,
    registerInstanceEvents,
    registerNetworkEvents,
    registerImageEvents,
    registerSnapshotEvents,
    registerVolumeEvents,
    registerCaptureEvents,
    registerPoolEvents,
  ]);
}

let shared: EventDispatcher | undefined;

/**
 * Applies one agent event with every area's handlers. Until agents' events are authenticated per host,
 * the sender is the host id the message names.
 */
export function applyAgentEvent(
  deps: { db: Database; jobs: JobPort },
  ev: AgentEvent,
  senderHostId: string = ev.hostId,
): Promise<void> {
  shared ??= createAgentEventDispatcher();
  return shared.dispatch(deps, ev, senderHostId);
}
