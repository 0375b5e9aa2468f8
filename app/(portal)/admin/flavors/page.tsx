import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { FlavorsAdmin } from "./flavors-admin";

export async function generateMetadata() {
  const t = await getTranslations("flavors");
  return { title: t("title") };
}

// Everyone may list flavors (the launch dialog needs them); this page is for the people who manage them.
export default async function FlavorsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "flavors", "create"))
    return <Forbidden role={actor.role} need={leastRole("flavors", "create")} />;
  return (
    <FlavorsAdmin
      allowed={{
        create: can(actor.role, "flavors", "create"),
        update: can(actor.role, "flavors", "update"),
        delete: can(actor.role, "flavors", "delete"),
      }}
      // Public flavors are superAdm's; a powerAdm manages the flavors of the groups they administer.
      isSuperAdm={actor.role === "superAdm"}
    />
  );
}
