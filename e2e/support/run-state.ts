import { readFileSync } from "node:fs";

/** What global setup prepared for this run; specs read it to sign in and to start extra portals. */
export interface RunState {
  baseURL: string;
  adminUsername: string;
  adminPassword: string;
  /** Environment of the portal under test (database URL, Redis prefix, secrets): for extra portals. */
  portalEnv: Record<string, string>;
  /** False when the specs run against an installed portal (E2E_BASE_URL), which they must not restart. */
  ownsPortal: boolean;
  /** The e2e agent's state directory (VM run dirs with serial logs), when the specs own the portal. */
  agentStateDir?: string;
  /** The network namespace of the e2e agent's VM networks, when the specs own the portal. */
  agentNetns?: string;
}

export const RUN_STATE_FILE = "e2e/.artifacts/run-state.json";

export function readRunState(): RunState {
  return JSON.parse(readFileSync(RUN_STATE_FILE, "utf8")) as RunState;
}
