import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { NetworksAdmin } from "./networks-admin";

export async function generateMetadata() {
  const t = await getTranslations("networks");
  return { title: t("title") };
}

// Everyone may pick a network when launching (networks.choices); defining them is for superAdm.
export default async function NetworksPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "networks", "list"))
    return <Forbidden role={actor.role} need={leastRole("networks", "list")} />;
  return (
    <NetworksAdmin
      allowed={{
        create: can(actor.role, "networks", "create"),
        delete: can(actor.role, "networks", "delete"),
        exportUsage: can(actor.role, "networks", "exportUsage"),
      }}
    />
  );
}
