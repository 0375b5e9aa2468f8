import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { ReadOnlyNote } from "@/app/_components/read-only-note";
import { currentActor } from "@/app/_lib/current-actor";
import { GroupsAdmin } from "./groups-admin";

export async function generateMetadata() {
  const t = await getTranslations("groups");
  return { title: t("title") };
}

export default async function GroupsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "groups", "list"))
    return <Forbidden role={actor.role} need={leastRole("groups", "list")} />;
  const readOnly = !can(actor.role, "groups", "update");
  return (
    <GroupsAdmin
      notice={
        readOnly && (
          <ReadOnlyNote role={actor.role} need={leastRole("groups", "update")} what="whatChangeGroups" />
        )
      }
      allowed={{
        create: can(actor.role, "groups", "create"),
        update: can(actor.role, "groups", "update"),
        delete: can(actor.role, "groups", "delete"),
        read: can(actor.role, "groups", "read"),
        setMembers: can(actor.role, "groups", "setMembers"),
        setAdmins: can(actor.role, "groups", "setAdmins"),
        listUsers: can(actor.role, "users", "list"),
      }}
    />
  );
}
