// The English text of a server-made message, for logs, REST clients and the CLI (which have no
// catalogue); people in the portal get it in their own language from the code instead.
import { createTranslator } from "use-intl/core";
import en from "@/messages/en.json" with { type: "json" };
import type { Message } from "@/common/message";

const translate = createTranslator({
  locale: "en",
  messages: { server: en.server },
  // A missing parameter must not turn a refusal into a crash: the code is still sent and logged.
  onError: () => undefined,
  getMessageFallback: ({ key }) => key,
}) as unknown as (key: string, params?: Record<string, string | number>) => string;

export function renderEnglish(m: Pick<Message, "code" | "params">): string {
  return translate(`server.${m.code}`, m.params);
}
