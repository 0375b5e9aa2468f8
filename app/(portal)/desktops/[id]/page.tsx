import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { DesktopConsole } from "./desktop-console";

export async function generateMetadata() {
  const t = await getTranslations("desktops");
  return { title: t("consoleMetaTitle") };
}

export default async function DesktopConsolePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "desktops", "mine"))
    return <Forbidden role={actor.role} need={leastRole("desktops", "mine")} />;
  if (!can(actor.role, "consoles", "open"))
    return <Forbidden role={actor.role} need={leastRole("consoles", "open")} />;
  const { id } = await params;
  return <DesktopConsole id={id} />;
}
