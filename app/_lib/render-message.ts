// Turns a server-made message (code + parameters, see common/message.ts) into text in the reader's
// language from messages/*.json ("server"). Every place that shows server text goes through here:
// error toasts and form fields (via readError), timelines, the task list, hosts and health.
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import type { MessageDetail, MessageParam } from "@/common/message";

/** A message as it arrives (from tRPC data or a row); the code is not trusted to exist in the catalogue. */
export interface RenderableMessage {
  code: string;
  params?: Record<string, MessageParam> | null;
  details?: MessageDetail[] | null;
}

export type RenderMessage = (m: RenderableMessage | null | undefined, fallback?: string | null) => string;

interface Translate {
  (key: string, params?: Record<string, MessageParam>): string;
  has(key: string): boolean;
}

function render(t: Translate, m: RenderableMessage): string | null {
  if (!t.has(m.code)) return null;
  const params: Record<string, MessageParam> = { ...(m.params ?? {}) };
  if (m.details?.length) {
    params.details = m.details
      .map((d) => `${d.subject}: ${render(t, d.message) ?? d.message.code}`)
      .join("; ");
  }
  return t(m.code, params);
}

/**
 * `fallback` is the English text stored or sent beside the code: shown only for a code this build does
 * not know (an old row, a newer server), never instead of a known code.
 */
export function useMessage(): RenderMessage {
  const t = useTranslations("server") as unknown as Translate;
  return useCallback<RenderMessage>(
    (m, fallback) => (m ? render(t, m) : null) ?? fallback ?? m?.code ?? "",
    [t],
  );
}

// readError() runs in event handlers, outside React; the bridge mounted in the root layout keeps the
// current language's renderer here so every dialog gets translated errors without a hook of its own.
let current: RenderMessage | null = null;

export function setMessageRenderer(r: RenderMessage): void {
  current = r;
}

export function renderWithCurrent(m: RenderableMessage | null | undefined, fallback: string): string {
  return m && current ? current(m, fallback) : fallback;
}

interface TaskTexts {
  message: string | null;
  messageCode?: string | null;
  messageParams?: Record<string, MessageParam> | null;
  error: string | null;
  errorCode?: string | null;
  errorParams?: Record<string, MessageParam> | null;
}

/** A task's current message in the reader's language; null when it has none. */
export function taskMessage(render: RenderMessage, task: TaskTexts | null | undefined): string | null {
  if (!task?.message) return null;
  return render(
    task.messageCode ? { code: task.messageCode, params: task.messageParams } : null,
    task.message,
  );
}

/** Why a task failed, in the reader's language; null when it did not. */
export function taskError(render: RenderMessage, task: TaskTexts | null | undefined): string | null {
  if (!task?.error) return null;
  return render(task.errorCode ? { code: task.errorCode, params: task.errorParams } : null, task.error);
}
