import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { LanguageSwitch } from "@/app/_components/language-switch";

/** The frame of the pages people see before signing in (sign-up, reset link): as the sign-in page. */
export async function PublicShell({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: string;
  children: ReactNode;
}) {
  const t = await getTranslations();
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex justify-end p-4">
        <LanguageSwitch label={t("login.language")} hideLabel compact />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-8 pb-16 sm:items-center sm:pt-0">
        <div className="w-full max-w-sm">
          <div className="mb-6 text-center">
            <span
              aria-hidden
              className="mx-auto mb-3 grid size-10 place-items-center rounded-lg bg-indigo-600 text-lg font-bold text-white"
            >
              e
            </span>
            <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{subtitle}</p>
          </div>
          <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            {children}
          </div>
        </div>
      </main>
    </div>
  );
}
