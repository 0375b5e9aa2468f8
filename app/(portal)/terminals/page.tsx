import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { TerminalsAdmin } from "./terminals-admin";

export async function generateMetadata() {
  const t = await getTranslations("terminals");
  return { title: t("title") };
}

export default async function TerminalsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "terminals", "list"))
    return <Forbidden role={actor.role} need={leastRole("terminals", "list")} />;
  return (
    <TerminalsAdmin
      allowed={{
        approve: can(actor.role, "terminals", "approve"),
        update: can(actor.role, "terminals", "update"),
        revoke: can(actor.role, "terminals", "revoke"),
        delete: can(actor.role, "terminals", "delete"),
      }}
    />
  );
}
