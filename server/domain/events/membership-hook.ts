// A second typed hook beside the agents' events: "memberships or accounts changed" (a user edited out of
// a group, a group's member list replaced, a student taken out of a class, an account disabled). The area
// that made the change fires it after its transaction has committed; areas that hold something per
// membership (a lab's desktop assigned to a student) subscribe. The subscribers are listed in one place
// (server/events/membership-hooks.ts), so users, groups and classes need not import them: desktops
// depends on those areas' rules, and the reverse import would be a cycle between areas.
import type { DomainContext } from "../context";
import { runSubscribers } from "./run-subscribers";

/** Who changed. Either narrows the look; both: these users in this group. */
export interface MembershipChange {
  userIds?: readonly number[];
  groupId?: number;
}

export type MembershipChangeHandler = (ctx: DomainContext, change: MembershipChange) => Promise<void>;

export interface MembershipHookRegistry {
  onMembershipsChanged(handler: MembershipChangeHandler): void;
}

export type MembershipHookRegistration = (r: MembershipHookRegistry) => void;

/** The port on DomainContext through which an area announces its committed change. */
export interface MembershipHooks {
  membershipsChanged(ctx: DomainContext, change: MembershipChange): Promise<void>;
}

/** Subscribers run in registration order, all of them even if one fails (run-subscribers.ts). */
export function createMembershipHooks(registrations: MembershipHookRegistration[] = []): MembershipHooks {
  const handlers: MembershipChangeHandler[] = [];
  for (const register of registrations) register({ onMembershipsChanged: (h) => void handlers.push(h) });
  return {
    membershipsChanged: (ctx, change) =>
      runSubscribers(handlers, (h) => h(ctx, change), "membershipsChanged"),
  };
}
