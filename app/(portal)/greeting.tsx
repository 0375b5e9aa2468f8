"use client";
// The greeting needs the display name, which the session actor does not carry; account.me has it.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/_trpc/client";
import type { AccountRole } from "@/common/roles";

export function Greeting({ username, role }: { username: string; role: AccountRole }) {
  const t = useTranslations();
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  // Until the name arrives (or if it cannot), the username is a perfectly good greeting.
  const name = me.data?.displayName || username;
  return (
    <div>
      <p className="text-lg font-medium text-slate-900 dark:text-slate-100">
        {t("dashboard.greeting", { name })}
      </p>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {t("dashboard.roleLine", { role: t(`roles.${role}`) })}
      </p>
    </div>
  );
}
