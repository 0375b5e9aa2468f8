// A desktop that changed state (ready, failed, stopped by itself, gone) may leave its pool short: the
// controller is nudged rather than waiting for its next tick.
import type { EventRegistration } from "../events/dispatcher";
import { nudgePools } from "./pool-nudge";

export const registerPoolEvents: EventRegistration = (r) => {
  r.onInstanceState(["RUNNING", "STOPPED", "ERROR", "DELETED"], async (_ctx, change) => {
    if (change.instance.poolId !== null) nudgePools();
  });
};
