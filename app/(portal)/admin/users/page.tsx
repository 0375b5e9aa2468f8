import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { ReadOnlyNote } from "@/app/_components/read-only-note";
import { currentActor } from "@/app/_lib/current-actor";
import { UsersAdmin } from "./users-admin";

export async function generateMetadata() {
  const t = await getTranslations("users");
  return { title: t("title") };
}

export default async function UsersPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "users", "list"))
    return <Forbidden role={actor.role} need={leastRole("users", "list")} />;
  // The buttons follow the same table the API enforces; a powerAdm sees the list but no edit buttons.
  const readOnly = !can(actor.role, "users", "update");
  return (
    <UsersAdmin
      notice={
        readOnly && (
          <ReadOnlyNote role={actor.role} need={leastRole("users", "update")} what="whatChangeUsers" />
        )
      }
      actorId={actor.id}
      allowed={{
        create: can(actor.role, "users", "create"),
        update: can(actor.role, "users", "update"),
        setDisabled: can(actor.role, "users", "setDisabled"),
        resetPassword: can(actor.role, "users", "resetPassword"),
        clearSignInLock: can(actor.role, "users", "clearSignInLock"),
        listGroups: can(actor.role, "groups", "list"),
        issueResetLink: can(actor.role, "users", "issueResetLink"),
        approve: can(actor.role, "users", "approve"),
        importCsv: can(actor.role, "users", "importCsv"),
      }}
    />
  );
}
