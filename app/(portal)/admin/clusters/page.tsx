import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { ClustersAdmin } from "./clusters-admin";

export async function generateMetadata() {
  const t = await getTranslations("clusters");
  return { title: t("title") };
}

export default async function ClustersPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "clusters", "list"))
    return <Forbidden role={actor.role} need={leastRole("clusters", "list")} />;
  return (
    <ClustersAdmin
      allowed={{
        create: can(actor.role, "clusters", "create"),
        rename: can(actor.role, "clusters", "rename"),
        delete: can(actor.role, "clusters", "delete"),
      }}
    />
  );
}
