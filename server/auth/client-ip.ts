/** Set by server/main.ts from the socket (or X-Forwarded-For behind a trusted proxy); clients cannot forge it. */
export const CLIENT_IP_HEADER = "x-educloud-client-ip";

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

export function readClientIp(headers: HeaderBag): string | null {
  if (!headers) return null;
  const v = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.length <= 45 ? s : null;
}
