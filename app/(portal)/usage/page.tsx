import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { MyUsage } from "./my-usage";

export async function generateMetadata() {
  const t = await getTranslations("usage");
  return { title: t("title") };
}

export default async function UsagePage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "quotas", "mine"))
    return <Forbidden role={actor.role} need={leastRole("quotas", "mine")} />;
  return <MyUsage />;
}
