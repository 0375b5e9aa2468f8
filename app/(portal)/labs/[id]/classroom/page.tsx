import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { Classroom } from "./classroom";

export async function generateMetadata() {
  const t = await getTranslations("classroom");
  return { title: t("metaTitle") };
}

export default async function ClassroomPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "desktops", "classroom"))
    return <Forbidden role={actor.role} need={leastRole("desktops", "classroom")} />;
  const { id } = await params;
  const labId = Number(id);
  if (!Number.isInteger(labId) || labId <= 0) redirect("/labs");
  return <Classroom labId={labId} />;
}
