import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { PageHeader } from "@/app/_components/page-header";
import { currentActor } from "@/app/_lib/current-actor";
import { PortalSettingsForm } from "./portal-settings-form";

export async function generateMetadata() {
  const t = await getTranslations("accounts.settings");
  return { title: t("title") };
}

export default async function PortalSettingsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "portalSettings", "read"))
    return <Forbidden role={actor.role} need={leastRole("portalSettings", "read")} />;
  const t = await getTranslations("accounts.settings");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <PortalSettingsForm />
    </>
  );
}
