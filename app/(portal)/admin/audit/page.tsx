import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { AuditLog } from "./audit-log";

export async function generateMetadata() {
  const t = await getTranslations("audit");
  return { title: t("title") };
}

export default async function AuditPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "audit", "list"))
    return <Forbidden role={actor.role} need={leastRole("audit", "list")} />;
  return <AuditLog canExport={can(actor.role, "audit", "export")} />;
}
