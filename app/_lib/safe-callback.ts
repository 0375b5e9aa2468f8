// Where to go after signing in. Only paths on this site are accepted, so a crafted link
// (/login?callbackUrl=https://evil.example) cannot bounce a fresh session elsewhere.
export function safeCallbackUrl(raw: string | null | undefined, origin: string): string {
  if (!raw) return "/";
  try {
    const url = new URL(raw, origin);
    if (url.origin !== origin || url.pathname.startsWith("/login") || url.pathname.startsWith("/api/"))
      return "/";
    return `${url.pathname}${url.search}${url.hash}` || "/";
  } catch {
    return "/";
  }
}
