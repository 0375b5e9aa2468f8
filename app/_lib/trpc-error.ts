// One reading of whatever a tRPC call threw, so every form and page shows errors the same way.
// The server's error formatter (server/api/trpc.ts) sends each refusal as a code with parameters
// (`data.serverMessage`, `data.fieldMessages`), rendered here in the reader's language; the English
// `message`/`data.fieldErrors` are the fallback for a code this build does not know.
import { TRPCClientError } from "@trpc/client";
import type { FieldMessages, ServerMessage } from "@/common/message";
import { renderWithCurrent } from "./render-message";

export interface ErrorInfo {
  /** Null when the server gave nothing readable (network failure): the caller shows its own text. */
  message: string | null;
  fieldErrors: Record<string, string>;
  code: string | null;
  httpStatus: number | null;
  /** The stable code of the refusal (e.g. "instances.notRunning"), for logic that must not read text. */
  messageCode: string | null;
  /** The refusal as sent, for components that render it with their own useMessage(). */
  serverMessage: ServerMessage | null;
}

export function readError(err: unknown): ErrorInfo {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? null) as {
      fieldErrors?: Record<string, string> | null;
      fieldMessages?: FieldMessages | null;
      serverMessage?: ServerMessage | null;
      code?: string;
      httpStatus?: number;
    } | null;
    // Without `data` the request never produced a tRPC response (offline, proxy error page).
    const fieldErrors: Record<string, string> = { ...(data?.fieldErrors ?? {}) };
    for (const [key, m] of Object.entries(data?.fieldMessages ?? {}))
      fieldErrors[key] = renderWithCurrent(m, fieldErrors[key] ?? m.code);
    return {
      message: data ? renderWithCurrent(data.serverMessage, err.message) : null,
      fieldErrors,
      code: data?.code ?? null,
      httpStatus: data?.httpStatus ?? null,
      messageCode: data?.serverMessage?.code ?? null,
      serverMessage: data?.serverMessage ?? null,
    };
  }
  return {
    message: null,
    fieldErrors: {},
    code: null,
    httpStatus: null,
    messageCode: null,
    serverMessage: null,
  };
}
