"use client";
import { useTranslations } from "next-intl";
import { ButtonLink } from "@/app/_components/button";
import { Card } from "@/app/_components/card";

/** Shown by the detail and console pages when the instance was deleted or never existed. */
export function InstanceGone({ deleted }: { deleted: boolean }) {
  const t = useTranslations("instance");
  return (
    <Card className="mx-auto max-w-xl text-center" data-testid="instance-gone">
      <h1 className="text-xl font-semibold">{deleted ? t("deletedTitle") : t("goneTitle")}</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {deleted ? t("deletedBody") : t("goneBody")}
      </p>
      <ButtonLink href="/instances" variant="secondary" className="mt-5">
        {t("back")}
      </ButtonLink>
    </Card>
  );
}
