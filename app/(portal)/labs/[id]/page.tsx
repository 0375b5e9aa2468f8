import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { LabDetail } from "./lab-detail";

export async function generateMetadata() {
  const t = await getTranslations("labs");
  return { title: t("metaTitle") };
}

export default async function LabPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "labs", "read"))
    return <Forbidden role={actor.role} need={leastRole("labs", "read")} />;
  const { id } = await params;
  const labId = Number(id);
  if (!Number.isInteger(labId) || labId <= 0) redirect("/labs");
  return <LabDetail id={labId} isSuperAdm={actor.role === "superAdm"} />;
}
