import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { HostsAdmin } from "./hosts-admin";
import { LocalDesktopsList } from "./local-desktops-list";

export async function generateMetadata() {
  const t = await getTranslations("hosts");
  return { title: t("title") };
}

export default async function HostsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "hosts", "list"))
    return <Forbidden role={actor.role} need={leastRole("hosts", "list")} />;
  return (
    <>
      <HostsAdmin
        allowed={{
          createJoinToken: can(actor.role, "hosts", "createJoinToken"),
          setEnabled: can(actor.role, "hosts", "setEnabled"),
          revoke: can(actor.role, "hosts", "revoke"),
          rotateCredentials: can(actor.role, "hosts", "rotateCredentials"),
          remove: can(actor.role, "hosts", "remove"),
          setConsoleUrl: can(actor.role, "hosts", "setConsoleUrl"),
          setCluster: can(actor.role, "hosts", "setCluster"),
          listClusters: can(actor.role, "clusters", "list"),
        }}
      />
      {can(actor.role, "localDesktops", "list") && <LocalDesktopsList />}
    </>
  );
}
