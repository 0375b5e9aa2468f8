import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { PageHeader } from "@/app/_components/page-header";
import { currentActor } from "@/app/_lib/current-actor";
import { MyDesktops } from "./my-desktops";

export async function generateMetadata() {
  const t = await getTranslations("desktops");
  return { title: t("title") };
}

export default async function DesktopsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "desktops", "mine"))
    return <Forbidden role={actor.role} need={leastRole("desktops", "mine")} />;
  const t = await getTranslations("desktops");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <MyDesktops />
    </>
  );
}
