import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { NetworkDetail } from "./network-detail";

// The tab shows "Network"; the page's own heading carries the name once it has loaded.
export async function generateMetadata() {
  const t = await getTranslations("network");
  return { title: t("metaTitle") };
}

export default async function NetworkPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "networks", "read"))
    return <Forbidden role={actor.role} need={leastRole("networks", "read")} />;
  const { id } = await params;
  return (
    <NetworkDetail
      id={id}
      allowed={{
        update: can(actor.role, "networks", "update"),
        carveSubnet: can(actor.role, "ipam", "carveSubnet"),
        confirmSubnet: can(actor.role, "ipam", "confirmSubnet"),
        deleteSubnet: can(actor.role, "ipam", "deleteSubnet"),
        allocateAddress: can(actor.role, "ipam", "allocateAddress"),
        releaseAddress: can(actor.role, "ipam", "releaseAddress"),
      }}
    />
  );
}
