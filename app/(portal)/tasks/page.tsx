import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { TasksList } from "./tasks-list";

export async function generateMetadata() {
  const t = await getTranslations("tasks");
  return { title: t("title") };
}

export default async function TasksPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "tasks", "list"))
    return <Forbidden role={actor.role} need={leastRole("tasks", "list")} />;
  return <TasksList />;
}
