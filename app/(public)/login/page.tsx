import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { LanguageSwitch } from "@/app/_components/language-switch";
import { loadActorResult } from "@/app/_lib/current-actor";
import { LoginForm } from "./login-form";
import { SignUpLink } from "./sign-up-link";

export async function generateMetadata() {
  const t = await getTranslations();
  return { title: `${t("login.metaTitle")} · ${t("common.appName")}` };
}

// next-auth sends its own codes (e.g. ?error=SessionRequired) to this page; only sentences are shown as-is.
function initialErrorFrom(raw: string | string[] | undefined): string | null {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  return /\s/.test(value) ? value : "";
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Already signed in: the form would only confuse. If the database is down, show the form anyway;
  // signing in will then explain the problem itself.
  if ((await loadActorResult().catch(() => null))?.kind === "ok") redirect("/");
  const t = await getTranslations();
  const callbackUrl = Array.isArray(params.callbackUrl) ? params.callbackUrl[0] : params.callbackUrl;

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
            <h1 className="text-2xl font-semibold tracking-tight">{t("login.title")}</h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t("login.subtitle")}</p>
          </div>
          <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <LoginForm callbackUrl={callbackUrl ?? null} initialError={initialErrorFrom(params.error)} />
          </div>
          <SignUpLink />
          <p className="mt-6 text-center text-xs text-slate-500 dark:text-slate-500">{t("common.tagline")}</p>
        </div>
      </main>
    </div>
  );
}
