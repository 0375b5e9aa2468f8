import { getTranslations } from "next-intl/server";
import type { AccountRole, Role } from "@/common/roles";

type What = "whatChangeGroups" | "whatChangeUsers" | "whatUploadImages";

/** Above a page a role may look at but not change: says which role the changes need, instead of hiding why. */
export async function ReadOnlyNote({ role, need, what }: { role: AccountRole; need: Role; what: What }) {
  const t = await getTranslations("errors");
  const tr = await getTranslations("roles");
  return (
    <p
      data-testid="read-only-note"
      className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300"
    >
      {t("readOnlyNeeds", { what: t(what), need: tr(need as AccountRole), role: tr(role) })}
    </p>
  );
}
