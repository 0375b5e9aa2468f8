// The launcher's words, from the "launcher" namespace of messages/en.json and messages/zh-CN.json (the
// portal's catalogues; read from disk, as the agent shares no code with the portal but agents/protocol).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type LauncherLocale = "en" | "zh-CN";
export type LauncherKey = keyof (typeof import("../../../messages/en.json"))["launcher"];
type Catalogue = Record<LauncherKey, string>;

const load = (locale: LauncherLocale): Catalogue =>
  (
    JSON.parse(
      readFileSync(fileURLToPath(new URL(`../../../messages/${locale}.json`, import.meta.url)), "utf8"),
    ) as { launcher: Catalogue }
  ).launcher;

const catalogues: Partial<Record<LauncherLocale, Catalogue>> = {};

/** The text with `{name}` placeholders filled (values are escaped by the page, not here). */
export function launcherText(
  locale: LauncherLocale,
  key: LauncherKey,
  params: Record<string, string | number> = {},
): string {
  const cat = (catalogues[locale] ??= load(locale));
  return cat[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** A cookie's choice first, then the browser's languages; English otherwise. */
export function chooseLocale(cookieLang: string | null, acceptLanguage: string | undefined): LauncherLocale {
  if (cookieLang === "zh-CN" || cookieLang === "en") return cookieLang;
  return /^\s*zh\b/i.test(acceptLanguage ?? "") ? "zh-CN" : "en";
}
