import { getTranslations } from "next-intl/server";
import { buttonClasses } from "./button";
import { Card } from "./card";

/**
 * What the portal shows when it cannot even tell who is signed in because MariaDB is down.
 * A plain <a> (full reload) for "try again", since the failure happened while rendering the server layout.
 */
export async function UnavailableNotice() {
  const t = await getTranslations("errors");
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <Card className="max-w-lg text-center" role="alert">
        <h1 className="text-xl font-semibold">{t("unavailableTitle")}</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("unavailableBody")}</p>
        <a href="" className={buttonClasses("primary", "md", "mt-5")}>
          {t("tryAgain")}
        </a>
      </Card>
    </main>
  );
}
