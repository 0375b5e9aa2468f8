"use client";
// The portal's main navigation. The server layout decides which items a role sees (with can());
// this component only renders them, marks the current page and folds away on narrow screens.
import { useTranslations } from "next-intl";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useState } from "react";

export type NavKey =
  | "dashboard"
  | "instances"
  | "tasks"
  | "usage"
  | "quotas"
  | "settings"
  | "users"
  | "groups"
  | "classes"
  | "desktops"
  | "labs"
  | "profiles"
  | "hosts"
  | "clusters"
  | "networks"
  | "flavors"
  | "images"
  | "audit"
  | "portalSettings"
  | "health";
export interface NavItem {
  href: string;
  key: NavKey;
  /** Items in the admin section get a small heading above them. */
  admin?: boolean;
}

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

export function PortalNav({ items }: { items: NavItem[] }) {
  const t = useTranslations("nav");
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const listId = useId();
  // Following a link on a phone should not leave the menu covering the page.
  useEffect(() => setOpen(false), [pathname]);

  const link = (item: NavItem) => {
    const active = isActive(pathname, item.href);
    return (
      <li key={item.href}>
        <Link
          href={item.href}
          aria-current={active ? "page" : undefined}
          className={`block rounded-md px-3 py-2 text-sm font-medium transition-colors ${
            active
              ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-950/70 dark:text-indigo-200"
              : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
          }`}
        >
          {t(item.key)}
        </Link>
      </li>
    );
  };
  const main = items.filter((i) => !i.admin);
  const admin = items.filter((i) => i.admin);

  return (
    <nav
      aria-label={t("label")}
      className="border-b border-slate-200 bg-white md:w-56 md:shrink-0 md:border-r md:border-b-0 dark:border-slate-800 dark:bg-slate-900"
    >
      <button
        type="button"
        className="flex w-full items-center justify-between px-4 py-2.5 text-sm font-medium text-slate-700 md:hidden dark:text-slate-200"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
      >
        {t("menu")}
        <span aria-hidden className={`transition-transform ${open ? "rotate-180" : ""}`}>
          ▾
        </span>
      </button>
      <div id={listId} className={`${open ? "block" : "hidden"} px-3 pb-3 md:block md:py-4`}>
        <ul className="space-y-1">{main.map(link)}</ul>
        {admin.length > 0 && (
          <>
            <p className="mt-5 mb-1 px-3 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
              {t("adminSection")}
            </p>
            <ul className="space-y-1">{admin.map(link)}</ul>
          </>
        )}
      </div>
    </nav>
  );
}
