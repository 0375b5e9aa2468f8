import { getTranslations } from "next-intl/server";
import { ButtonLink } from "./_components/button";
import { Card } from "./_components/card";

export default async function NotFound() {
  const t = await getTranslations("errors");
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <Card className="max-w-lg text-center">
        <p className="text-5xl font-bold text-indigo-600 dark:text-indigo-400">404</p>
        <h1 className="mt-3 text-xl font-semibold">{t("notFoundTitle")}</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("notFoundBody")}</p>
        <ButtonLink href="/" variant="secondary" className="mt-5">
          {t("backHome")}
        </ButtonLink>
      </Card>
    </main>
  );
}
