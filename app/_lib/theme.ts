// The theme lives in three places that must agree: the cookie (so the server renders the right class
// on the next load), data-theme on <html> (read by the pre-paint script in app/layout.tsx) and the
// `dark` class (what Tailwind's dark: variant keys on).
import { THEME_COOKIE } from "@/i18n/config";
import { setPreferenceCookie } from "./cookies";

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export function toTheme(value: string | undefined | null): Theme {
  return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

/** Puts the `dark` class where the chosen theme says it belongs; cheap enough to call often. */
export function syncThemeClass(theme: Theme): void {
  const root = document.documentElement;
  const dark = theme === "dark" || (theme === "system" && systemPrefersDark());
  if (root.classList.contains("dark") !== dark) root.classList.toggle("dark", dark);
  if (root.dataset.theme !== theme) root.dataset.theme = theme;
}

export function applyTheme(theme: Theme): void {
  setPreferenceCookie(THEME_COOKIE, theme);
  syncThemeClass(theme);
}
