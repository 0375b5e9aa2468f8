import { getTranslations } from "next-intl/server";
import { ButtonLink } from "./button";
import { Card } from "./card";

/** Shown instead of an admin page to a role that may not open it (the API refuses it anyway). */
export async function Forbidden() {
  const t = await getTranslations("errors");
  return (
    <Card className="mx-auto max-w-xl text-center">
      <h1 className="text-xl font-semibold">{t("forbiddenTitle")}</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("forbiddenBody")}</p>
      <ButtonLink href="/" variant="secondary" className="mt-5">
        {t("backHome")}
      </ButtonLink>
    </Card>
  );
}
