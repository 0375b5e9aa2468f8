import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { QuotasAdmin } from "./quotas-admin";

export async function generateMetadata() {
  const t = await getTranslations("quotasAdmin");
  return { title: t("title") };
}

export default async function QuotasAdminPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "quotas", "listAll"))
    return <Forbidden role={actor.role} need={leastRole("quotas", "listAll")} />;
  return <QuotasAdmin />;
}
