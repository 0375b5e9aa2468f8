// next-auth keeps its CSRF token in a cookie as "token|hash"; a form that posts to next-auth without
// JavaScript must send the token part. Over https the cookie carries the __Host- prefix.
interface CookieReader {
  get(name: string): { value: string } | undefined;
}

const CSRF_COOKIES = ["__Host-next-auth.csrf-token", "next-auth.csrf-token"];

export function readCsrfToken(cookieJar: CookieReader): string | null {
  for (const name of CSRF_COOKIES) {
    const token = cookieJar.get(name)?.value.split("|")[0];
    if (token) return token;
  }
  return null;
}
