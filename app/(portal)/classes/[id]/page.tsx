import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { ClassDetail } from "./class-detail";

export async function generateMetadata() {
  const t = await getTranslations("classes");
  return { title: t("metaTitle") };
}

export default async function ClassPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "classes", "read"))
    return <Forbidden role={actor.role} need={leastRole("classes", "read")} />;
  const { id } = await params;
  const classId = Number(id);
  if (!Number.isInteger(classId) || classId <= 0) redirect("/classes");
  return (
    <ClassDetail
      id={classId}
      // Only superAdm chooses a group's hosts and removes its admins (the server refuses the others).
      isSuperAdm={actor.role === "superAdm"}
      allowed={{
        start: can(actor.role, "instances", "start"),
        stop: can(actor.role, "instances", "stop"),
        reboot: can(actor.role, "instances", "reboot"),
        delete: can(actor.role, "instances", "delete"),
        console: can(actor.role, "consoles", "open"),
      }}
    />
  );
}
