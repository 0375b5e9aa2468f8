// A reason the agent reported: its code when this portal knows it, else the agent's English words as a
// parameter (an older agent, raw tool output), else our own message. Every agent code has a text in
// messages/*.json (i18n/server-messages.test.ts checks it).
import { AGENT_MESSAGE_CODES } from "@/agents/protocol";
import { msg, type Message, type MessageCode } from "@/common/message";

const KNOWN: ReadonlySet<string> = new Set(AGENT_MESSAGE_CODES);

export function agentMessage(
  coded: { code: string; params: Record<string, string | number> } | undefined,
  text: string | undefined,
  fallback: Message,
): Message {
  if (coded && KNOWN.has(coded.code)) return { code: coded.code as MessageCode, params: coded.params };
  if (text) return msg("tasks.agentReason", { reason: text });
  return fallback;
}
