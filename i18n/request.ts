import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, negotiateLocale, toLocale } from "./config";

// No locale in the URL: the choice lives in a cookie (set by the switch, and at sign-in from the account).
// Until there is one (a first visit to the sign-in page) the browser's languages decide.
export default getRequestConfig(async () => {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  const locale = chosen ? toLocale(chosen) : negotiateLocale((await headers()).get("accept-language"));
  return { locale, messages: (await import(`../messages/${locale}.json`)).default };
});
