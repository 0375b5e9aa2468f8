// One reading of whatever a tRPC call threw, so every form and page shows errors the same way.
// The server's error formatter (server/api/trpc.ts) puts user-readable text in `message` and
// per-field text in `data.fieldErrors`.
import { TRPCClientError } from "@trpc/client";

export interface ErrorInfo {
  /** Null when the server gave nothing readable (network failure): the caller shows its own text. */
  message: string | null;
  fieldErrors: Record<string, string>;
  code: string | null;
  httpStatus: number | null;
}

export function readError(err: unknown): ErrorInfo {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? null) as {
      fieldErrors?: Record<string, string> | null;
      code?: string;
      httpStatus?: number;
    } | null;
    // Without `data` the request never produced a tRPC response (offline, proxy error page).
    return {
      message: data ? err.message : null,
      fieldErrors: data?.fieldErrors ?? {},
      code: data?.code ?? null,
      httpStatus: data?.httpStatus ?? null,
    };
  }
  return { message: null, fieldErrors: {}, code: null, httpStatus: null };
}
