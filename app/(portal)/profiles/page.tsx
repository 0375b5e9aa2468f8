import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { ProfilesList } from "./profiles-list";

export async function generateMetadata() {
  const t = await getTranslations("profiles");
  return { title: t("title") };
}

export default async function ProfilesPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "profiles", "list"))
    return <Forbidden role={actor.role} need={leastRole("profiles", "list")} />;
  return <ProfilesList isSuperAdm={actor.role === "superAdm"} />;
}
