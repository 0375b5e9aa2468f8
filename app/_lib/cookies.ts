// Client-side cookie writes for the two preferences the server reads on every request (i18n/request.ts,
// app/layout.tsx). A year, site-wide, Lax: they are preferences, not secrets, so no HttpOnly. Secure when
// the page came over HTTPS, so they never travel in clear text after that.
const ONE_YEAR_SECONDS = 60 * 60 * 24 * 365;

export function setPreferenceCookie(name: string, value: string): void {
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${ONE_YEAR_SECONDS}; samesite=lax${secure}`;
}
