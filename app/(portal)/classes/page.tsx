import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { ClassesList } from "./classes-list";

export async function generateMetadata() {
  const t = await getTranslations("classes");
  return { title: t("title") };
}

export default async function ClassesPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "classes", "read"))
    return <Forbidden role={actor.role} need={leastRole("classes", "read")} />;
  return <ClassesList />;
}
