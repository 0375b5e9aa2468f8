"use client";
// Holds the chosen theme for the portal so the top bar switch and the settings page agree, and keeps
// the `dark` class right when the OS switches between light and dark while the page is open.
import { useMutation } from "@tanstack/react-query";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { useTRPC } from "@/app/_trpc/client";
import { applyTheme, syncThemeClass, type Theme } from "@/app/_lib/theme";

interface ThemeContextValue {
  theme: Theme;
  setTheme: (theme: Theme) => void;
}

const ThemeContext = createContext<ThemeContextValue | null>(null);

export function ThemeProvider({ initialTheme, children }: { initialTheme: Theme; children: ReactNode }) {
  const trpc = useTRPC();
  const [theme, setThemeState] = useState<Theme>(initialTheme);
  // The listeners below are attached once; they read the latest choice from here.
  const themeRef = useRef(initialTheme);
  // Failing to save only means the choice is not remembered on another device; the cookie still has it.
  const save = useMutation(trpc.account.updatePreferences.mutationOptions());
  const { mutate } = save;

  useEffect(() => {
    const media = matchMedia("(prefers-color-scheme: dark)");
    const resync = () => syncThemeClass(themeRef.current);
    // A router.refresh() re-renders <html> from the server, which can drop a class we added for "system".
    const observer = new MutationObserver(resync);
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["class", "data-theme"],
    });
    media.addEventListener("change", resync);
    resync();
    return () => {
      observer.disconnect();
      media.removeEventListener("change", resync);
    };
  }, []);

  const setTheme = useCallback(
    (next: Theme) => {
      themeRef.current = next;
      setThemeState(next);
      applyTheme(next);
      mutate({ theme: next });
    },
    [mutate],
  );

  const value = useMemo(() => ({ theme, setTheme }), [theme, setTheme]);
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme(): ThemeContextValue {
  const ctx = useContext(ThemeContext);
  if (!ctx) throw new Error("useTheme needs a <ThemeProvider> (the portal layout provides one).");
  return ctx;
}
