// The signed-in shell: top bar, role-aware navigation, content. Every page below it may assume an actor.
import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { THEME_COOKIE } from "@/i18n/config";
import { can } from "@/common/permissions";
import { Badge } from "@/app/_components/badge";
import { LanguageSwitch } from "@/app/_components/language-switch";
import { PortalNav, type NavItem } from "@/app/_components/portal-nav";
import { SignOutButton } from "@/app/_components/sign-out-button";
import { ThemeProvider } from "@/app/_components/theme-provider";
import { ThemeSwitch } from "@/app/_components/theme-switch";
import { UnavailableNotice } from "@/app/_components/unavailable-notice";
import { loadActorResult } from "@/app/_lib/current-actor";
import { toTheme } from "@/app/_lib/theme";
import { readCsrfToken } from "@/app/_lib/csrf-token";

// Reads the session cookie on every request; nothing here can be prerendered.
export const dynamic = "force-dynamic";

// Pages set only their own name ("Users"); the tab then reads "Users · eduCloud".
export async function generateMetadata(): Promise<Metadata> {
  const appName = (await getTranslations("common"))("appName");
  return { title: { template: `%s · ${appName}`, default: appName } };
}

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const result = await loadActorResult();
  if (result.kind === "unavailable") return <UnavailableNotice />;
  if (result.kind === "anonymous") redirect("/login");
  const { actor } = result;

  const t = await getTranslations();
  const cookieJar = await cookies();
  const theme = toTheme(cookieJar.get(THEME_COOKIE)?.value);
  // Images: everyone may browse them, but only those who may upload manage them; for the others the
  // item sits with their own pages instead of opening an "Administration" section of one.
  const managesImages = can(actor.role, "images", "upload");
  const candidates: [boolean, NavItem][] = [
    [true, { href: "/", key: "dashboard" }],
    // A student's lab desktops (docs/labs.md): everyone may be handed one.
    [can(actor.role, "desktops", "mine"), { href: "/desktops", key: "desktops" }],
    [can(actor.role, "instances", "list"), { href: "/instances", key: "instances" }],
    [can(actor.role, "images", "list") && !managesImages, { href: "/admin/images", key: "images" }],
    [can(actor.role, "tasks", "list"), { href: "/tasks", key: "tasks" }],
    [can(actor.role, "quotas", "mine"), { href: "/usage", key: "usage" }],
    // A teacher's classes (the groups they administer); superAdm sees every group there.
    [can(actor.role, "classes", "read"), { href: "/classes", key: "classes" }],
    // Labs and desktop profiles (docs/labs.md): a teacher's rooms of desktops and what they boot.
    [can(actor.role, "labs", "list"), { href: "/labs", key: "labs" }],
    [can(actor.role, "profiles", "list"), { href: "/profiles", key: "profiles" }],
    [true, { href: "/settings", key: "settings" }],
    [can(actor.role, "users", "list"), { href: "/admin/users", key: "users", admin: true }],
    [can(actor.role, "groups", "list"), { href: "/admin/groups", key: "groups", admin: true }],
    [can(actor.role, "hosts", "list"), { href: "/admin/hosts", key: "hosts", admin: true }],
    [can(actor.role, "clusters", "list"), { href: "/admin/clusters", key: "clusters", admin: true }],
    [can(actor.role, "networks", "list"), { href: "/admin/networks", key: "networks", admin: true }],
    // Plain users only pick flavors when launching; the page is for those who manage them.
    [can(actor.role, "flavors", "create"), { href: "/admin/flavors", key: "flavors", admin: true }],
    [managesImages, { href: "/admin/images", key: "images", admin: true }],
    [can(actor.role, "quotas", "listAll"), { href: "/admin/quotas", key: "quotas", admin: true }],
    [
      can(actor.role, "portalSettings", "read"),
      { href: "/admin/settings", key: "portalSettings", admin: true },
    ],
    [can(actor.role, "audit", "list"), { href: "/admin/audit", key: "audit", admin: true }],
    [can(actor.role, "health", "read"), { href: "/admin/health", key: "health", admin: true }],
  ];
  const items = candidates.filter(([shown]) => shown).map(([, item]) => item);

  return (
    <ThemeProvider initialTheme={theme}>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow dark:focus:bg-slate-800"
      >
        {t("nav.skipToContent")}
      </a>
      <div className="flex min-h-screen flex-col">
        <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
          {/* Narrow screens: logo and "Sign out" on the first row, who you are and the switches below. */}
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2 px-4 py-2.5">
            <Link
              href="/"
              className="order-1 flex items-center gap-2 text-lg font-semibold tracking-tight text-slate-900 dark:text-white"
            >
              <span
                aria-hidden
                className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white"
              >
                e
              </span>
              {t("common.appName")}
            </Link>
            <div className="order-3 flex w-full min-w-0 items-center gap-2 sm:order-2 sm:ml-auto sm:w-auto sm:gap-3">
              <span
                data-testid="current-user"
                className="flex min-w-0 flex-1 items-center gap-2 text-sm text-slate-600 sm:flex-none dark:text-slate-300"
              >
                <span className="hidden max-w-[14rem] truncate sm:inline">
                  {t("topBar.signedInAs", { username: actor.username })}
                </span>
                <span className="truncate sm:hidden">{actor.username}</span>
                <span className="hidden sm:inline">
                  <Badge tone="info">{t(`roles.${actor.role}`)}</Badge>
                </span>
              </span>
              <LanguageSwitch label={t("topBar.language")} hideLabel compact persist />
              <ThemeSwitch label={t("topBar.theme")} hideLabel compact />
            </div>
            <div className="order-2 ml-auto sm:order-3 sm:ml-0">
              <SignOutButton csrfToken={readCsrfToken(cookieJar)} />
            </div>
          </div>
        </header>
        <div className="flex flex-1 flex-col md:flex-row">
          <PortalNav items={items} />
          <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-6 lg:px-8">
            <div className="mx-auto max-w-6xl">{children}</div>
          </main>
        </div>
      </div>
    </ThemeProvider>
  );
}
