// The one place that knows every area which reacts to a change of memberships or accounts (the hook in
// server/domain/events/membership-hook.ts). Built at module load from a fixed list, so the portal's
// process and each bundle Next compiles get the same subscribers without a registration step to miss.
import { createMembershipHooks } from "@/server/domain/events/membership-hook";
import { registerDesktopMembershipHooks } from "@/server/domain/desktops/release-desktop";

export const membershipHooks = createMembershipHooks([registerDesktopMembershipHooks]);
