// Where the agents' events go once the controller has parsed them. Each area registers what it does with
// the events it cares about (see server/events/agent-events.ts for the wiring), so no area has to know
// the others, and a new area (a desktop pool, a stack) joins by registering instead of being called from
// inside another. Besides raw events there is one typed hook: "an instance reached state X", fired by the
// instances area after it has recorded the change.
import type { AgentEvent } from "@/agents/protocol";
import type { InstanceState } from "@/common/instance-states";
import type { InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { JobPort } from "../context";
import { runSubscribers } from "./run-subscribers";

export type AgentEventType = AgentEvent["type"];
export type AgentEventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;

/** What a handler may use: the database, the job port, and the hook to announce instance states. */
export interface EventContext {
  db: Database;
  jobs: JobPort;
  /** Runs the subscribers of `change.to` (called by the area that made the change, after writing it). */
  instanceReached(change: InstanceStateChange): Promise<void>;
}

export type AgentEventHandler<T extends AgentEventType> = (
  ctx: EventContext,
  ev: AgentEventOf<T>,
) => Promise<void>;

export interface InstanceStateChange {
  /** The row as written, after the change. */
  instance: InstanceRow;
  from: InstanceState;
  to: InstanceState;
}

export type InstanceStateHandler = (ctx: EventContext, change: InstanceStateChange) => Promise<void>;

/** What an area's registration function receives. */
export interface EventRegistry {
  on<T extends AgentEventType>(type: T, handler: AgentEventHandler<T>): void;
  onInstanceState(to: InstanceState | readonly InstanceState[], handler: InstanceStateHandler): void;
}

export type EventRegistration = (r: EventRegistry) => void;

export interface EventDispatcher extends EventRegistry {
  /**
   * Applies one event from `senderHostId`. The sender is a separate argument so that it can come from the
   * authenticated channel rather than the message: handlers see the event with that host id.
   */
  dispatch(deps: { db: Database; jobs: JobPort }, ev: AgentEvent, senderHostId: string): Promise<void>;
}

/**
 * Handlers of one event type run one after the other in registration order (a later one may rely on an
 * earlier one's writes, e.g. the heartbeat's host row before the instances reconcile against it).
 * Subscribers of an instance state all run even if one fails; the failures are raised together after.
 */
export function createEventDispatcher(registrations: EventRegistration[] = []): EventDispatcher {
  // Stored untyped: `on` is what ties each handler to its event type.
  type AnyHandler = (ctx: EventContext, ev: AgentEvent) => Promise<void>;
  const handlers = new Map<AgentEventType, AnyHandler[]>();
  const subscribers = new Map<InstanceState, InstanceStateHandler[]>();

  const registry: EventRegistry = {
    on(type, handler) {
      const list = handlers.get(type) ?? [];
      list.push(handler as unknown as AnyHandler);
      handlers.set(type, list);
    },
    onInstanceState(to, handler) {
      for (const state of typeof to === "string" ? [to] : to) {
        const list = subscribers.get(state) ?? [];
        list.push(handler);
        subscribers.set(state, list);
      }
    },
  };
  for (const register of registrations) register(registry);

  return {
    ...registry,
    async dispatch(deps, ev, senderHostId) {
      const ctx: EventContext = {
        db: deps.db,
        jobs: deps.jobs,
        instanceReached: (change) =>
          runSubscribers(subscribers.get(change.to) ?? [], (h) => h(ctx, change), change.to),
      };
      const event = { ...ev, hostId: senderHostId } as AgentEvent;
      for (const h of handlers.get(event.type) ?? []) await h(ctx, event);
    },
  };
}
