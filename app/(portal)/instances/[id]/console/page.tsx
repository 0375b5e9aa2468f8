import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { InstanceConsole, type ConsoleTab } from "./instance-console";

// The tab shows "Console"; the page's heading carries the instance's name once it has loaded.
export async function generateMetadata() {
  const t = await getTranslations("console");
  return { title: t("metaTitle") };
}

export default async function InstanceConsolePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ view?: string | string[] }>;
}) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "instances", "read"))
    return <Forbidden role={actor.role} need={leastRole("instances", "read")} />;
  if (!can(actor.role, "consoles", "open"))
    return <Forbidden role={actor.role} need={leastRole("consoles", "open")} />;
  const [{ id }, { view }] = await Promise.all([params, searchParams]);
  const initialTab: ConsoleTab = view === "serial" ? "serial" : "graphical";
  return (
    <InstanceConsole id={id} initialTab={initialTab} allowStart={can(actor.role, "instances", "start")} />
  );
}
