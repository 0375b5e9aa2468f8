import type { AgentMessage } from "../protocol/agent-message";

/** A job that failed for a reason retrying will not change (a refusal, a bad checksum, no such hypervisor). */
export class PermanentJobError extends Error {
  /** The reason as a code, when it is the agent's own words (not a tool's), for the portal to translate. */
  readonly agentMessage?: AgentMessage;

  constructor(message: string, agentMessage?: AgentMessage) {
    super(message);
    this.agentMessage = agentMessage;
  }
}
