import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole, roleMeets } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { InstancesList } from "./instances-list";

export async function generateMetadata() {
  const t = await getTranslations("instances");
  return { title: t("title") };
}

export default async function InstancesPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "instances", "list"))
    return <Forbidden role={actor.role} need={leastRole("instances", "list")} />;
  return (
    <InstancesList
      // Administrators also see other people's instances (their groups', or all): then whose it is matters.
      showOwner={roleMeets(actor.role, "powerAdm")}
      allowed={{
        create: can(actor.role, "instances", "create"),
        start: can(actor.role, "instances", "start"),
        stop: can(actor.role, "instances", "stop"),
        reboot: can(actor.role, "instances", "reboot"),
        resize: can(actor.role, "instances", "resize"),
        delete: can(actor.role, "instances", "delete"),
        console: can(actor.role, "consoles", "open"),
      }}
    />
  );
}
