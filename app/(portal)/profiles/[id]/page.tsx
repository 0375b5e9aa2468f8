import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { ProfileDetail } from "./profile-detail";

export async function generateMetadata() {
  const t = await getTranslations("profiles");
  return { title: t("metaTitle") };
}

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "profiles", "read"))
    return <Forbidden role={actor.role} need={leastRole("profiles", "read")} />;
  const { id } = await params;
  const profileId = Number(id);
  if (!Number.isInteger(profileId) || profileId <= 0) redirect("/profiles");
  return <ProfileDetail id={profileId} isSuperAdm={actor.role === "superAdm"} />;
}
