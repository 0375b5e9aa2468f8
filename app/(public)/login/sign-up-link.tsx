"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/client";

/** Under the sign-in form: the sign-up link when an administrator opened sign-up, and how to recover a password. */
export function SignUpLink() {
  const t = useTranslations("accounts.login");
  const trpc = useTRPC();
  const options = useQuery(trpc.account.signUpOptions.queryOptions());
  return (
    <div className="mt-4 space-y-2 text-center text-sm text-slate-600 dark:text-slate-400">
      {options.data?.enabled && (
        <p>
          {t("noAccount")}{" "}
          <Link href="/signup" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            {t("signUp")}
          </Link>
        </p>
      )}
      <p className="text-xs">{t("forgot")}</p>
    </div>
  );
}
