import { getTranslations } from "next-intl/server";

export default async function PortalLoading() {
  const t = await getTranslations("common");
  return (
    <div role="status" className="flex items-center gap-2 py-10 text-sm text-slate-500 dark:text-slate-400">
      <span
        aria-hidden
        className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent"
      />
      {t("loading")}
    </div>
  );
}
