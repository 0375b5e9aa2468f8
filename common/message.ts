// A server-made sentence travels as a stable code plus parameters, so each reader renders it in their
// own language from messages/*.json ("server" namespace); the English text is only a fallback.
import { z } from "zod";
import type { MessageParams } from "./message-codes";
import type { MessageParam } from "./message-param";

export type { MessageParam } from "./message-param";
export type MessageCode = keyof MessageParams;

export interface Message {
  code: MessageCode;
  params: Record<string, MessageParam>;
}

/** A message as it arrives from the wire or a database row, before anyone checked its code. */
export const messageSchema = z.object({
  code: z.string().min(1).max(80),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type WireMessage = z.infer<typeof messageSchema>;

type ParamsArg<C extends MessageCode> = keyof MessageParams[C] extends never
  ? [params?: Record<string, never>]
  : [params: MessageParams[C]];

/** Builds a message; the code must exist in the English catalogue and its parameters must all be given. */
export function msg<C extends MessageCode>(code: C, ...args: ParamsArg<C>): Message {
  return { code, params: (args[0] ?? {}) as Record<string, MessageParam> };
}

/** One part of a message that lists several (a host and why it cannot take an instance). */
export interface MessageDetail {
  subject: string;
  message: Message;
}

/** A refusal as the portal receives it (tRPC `data.serverMessage`). */
export interface ServerMessage extends Message {
  details?: MessageDetail[];
}

/** Field name → message, for forms. */
export type FieldMessages = Record<string, Message>;
