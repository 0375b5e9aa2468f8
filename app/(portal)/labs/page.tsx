import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { LabsList } from "./labs-list";

export async function generateMetadata() {
  const t = await getTranslations("labs");
  return { title: t("title") };
}

export default async function LabsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "labs", "list"))
    return <Forbidden role={actor.role} need={leastRole("labs", "list")} />;
  return <LabsList isSuperAdm={actor.role === "superAdm"} />;
}
