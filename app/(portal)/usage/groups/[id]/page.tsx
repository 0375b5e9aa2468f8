import { notFound, redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { PageHeader } from "@/app/_components/page-header";
import { currentActor } from "@/app/_lib/current-actor";
import { GroupUsage } from "../../group-usage";

export async function generateMetadata() {
  const t = await getTranslations("usage");
  return { title: t("groupPageTitle") };
}

export default async function GroupUsagePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "quotas", "group"))
    return <Forbidden role={actor.role} need={leastRole("quotas", "group")} />;
  const t = await getTranslations("usage");
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return (
    <>
      <PageHeader title={t("groupPageTitle")} description={t("groupPageDescription")} />
      {/* The server refuses a group the caller does not administer; the view shows that refusal. */}
      <GroupUsage groupId={id} />
    </>
  );
}
