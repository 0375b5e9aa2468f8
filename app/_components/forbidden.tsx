import { getTranslations } from "next-intl/server";
import type { AccountRole, Role } from "@/common/roles";
import { ButtonLink } from "./button";
import { Card } from "./card";

/**
 * Shown instead of a page to a role that may not open it (the API refuses it anyway). It says which
 * role the page needs, so the person knows whom to ask, and offers no "Try again": a refusal is final.
 */
export async function Forbidden({ role, need }: { role: AccountRole; need: Role }) {
  const t = await getTranslations("errors");
  const tr = await getTranslations("roles");
  return (
    <Card className="mx-auto max-w-xl text-center" data-testid="forbidden">
      <h1 className="text-xl font-semibold">{t("forbiddenTitle")}</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {t("forbiddenNeeds", { need: tr(need as AccountRole), role: tr(role) })}
      </p>
      <ButtonLink href="/" variant="secondary" className="mt-5">
        {t("backHome")}
      </ButtonLink>
    </Card>
  );
}
