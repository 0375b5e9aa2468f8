// A reason the agent reported: its code when this portal knows it, else the agent's English words as a
// parameter (an older agent, raw tool output), else our own message.
import type { AgentMessage } from "@/agents/protocol";
import { msg, type Message, type MessageCode } from "@/common/message";
import type { MessageParams } from "@/common/message-codes";

const KNOWN: ReadonlySet<string> = new Set<keyof MessageParams>([
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
] satisfies AgentMessage["code"][]);

export function agentMessage(
  coded: AgentMessage | undefined,
  text: string | undefined,
  fallback: Message,
): Message {
  if (coded && KNOWN.has(coded.code)) return { code: coded.code as MessageCode, params: coded.params };
  if (text) return msg("tasks.agentReason", { reason: text });
  return fallback;
}
