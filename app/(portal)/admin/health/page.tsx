import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { HealthPanel } from "./health-panel";

export async function generateMetadata() {
  const t = await getTranslations("health");
  return { title: t("title") };
}

export default async function HealthPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "health", "read"))
    return <Forbidden role={actor.role} need={leastRole("health", "read")} />;
  return <HealthPanel />;
}
