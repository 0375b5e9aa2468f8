import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { InstanceDetail } from "./instance-detail";

// The tab shows "Instance"; the page's own heading carries the name once it has loaded.
export async function generateMetadata() {
  const t = await getTranslations("instance");
  return { title: t("metaTitle") };
}

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "instances", "read"))
    return <Forbidden role={actor.role} need={leastRole("instances", "read")} />;
  const { id } = await params;
  return (
    <InstanceDetail
      id={id}
      allowed={{
        start: can(actor.role, "instances", "start"),
        stop: can(actor.role, "instances", "stop"),
        reboot: can(actor.role, "instances", "reboot"),
        resize: can(actor.role, "instances", "resize"),
        delete: can(actor.role, "instances", "delete"),
        console: can(actor.role, "consoles", "open"),
      }}
      network={{
        addForward: can(actor.role, "portForwards", "create"),
        removeForward: can(actor.role, "portForwards", "delete"),
      }}
    />
  );
}
