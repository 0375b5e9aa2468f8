import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can } from "@/server/auth/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { currentActor } from "@/app/_lib/current-actor";
import { UsersAdmin } from "./users-admin";

export async function generateMetadata() {
  const t = await getTranslations("users");
  return { title: t("title") };
}

export default async function UsersPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "users", "list")) return <Forbidden />;
  // The buttons follow the same table the API enforces; a powerAdm sees the list but no edit buttons.
  return (
    <UsersAdmin
      actorId={actor.id}
      allowed={{
        create: can(actor.role, "users", "create"),
        update: can(actor.role, "users", "update"),
        setDisabled: can(actor.role, "users", "setDisabled"),
        resetPassword: can(actor.role, "users", "resetPassword"),
        clearSignInLock: can(actor.role, "users", "clearSignInLock"),
        listGroups: can(actor.role, "groups", "list"),
      }}
    />
  );
}
