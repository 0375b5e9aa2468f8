// What the agent says to people (why KVM is not usable, why a job failed) travels as a code the portal
// renders in the reader's language (messages/*.json, "server.agent.*"), plus English for old portals and
// logs. Raw tool output (qemu-img's stderr) stays a parameter: it has no translation.
import { z } from "zod";

export const AGENT_MESSAGE_CODES = [
  "agent.kvmNoCpuFlag",
  "agent.kvmDeviceMissing",
  "agent.kvmDeviceUnusable",
  "agent.alreadyCached",
  "agent.fetchedAndVerified",
  "agent.failed",
  "agent.baseCached",
  "agent.fetchingBase",
  "agent.poweredOff",
  "agent.jobFailed",
  "agent.noDriver",
  "agent.hypervisorNotOffered",
  "agent.noVolumeHypervisor",
] as const;
export type AgentMessageCode = (typeof AGENT_MESSAGE_CODES)[number];

// Any code is accepted on the wire: a newer agent's code must not make an older portal drop the whole
// report; the portal shows the English instead of a code it does not know.
export const agentMessageSchema = z.object({
  code: z.string().max(80),
  params: z.record(z.string().max(40), z.union([z.string().max(2000), z.number()])).default({}),
});
/** What the agent sends: one of its own codes. */
export interface AgentMessage {
  code: AgentMessageCode;
  params: Record<string, string | number>;
}
