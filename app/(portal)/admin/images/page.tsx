import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, leastRole } from "@/common/permissions";
import { Forbidden } from "@/app/_components/forbidden";
import { ReadOnlyNote } from "@/app/_components/read-only-note";
import { currentActor } from "@/app/_lib/current-actor";
import { ImagesAdmin } from "./images-admin";

export async function generateMetadata() {
  const t = await getTranslations("images");
  return { title: t("title") };
}

// Everyone may browse the images they can launch from; only some may add new ones.
export default async function ImagesPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, "images", "list"))
    return <Forbidden role={actor.role} need={leastRole("images", "list")} />;
  const upload = can(actor.role, "images", "upload");
  return (
    <ImagesAdmin
      notice={
        !upload && (
          <ReadOnlyNote role={actor.role} need={leastRole("images", "upload")} what="whatUploadImages" />
        )
      }
      allowed={{
        upload,
        manage: can(actor.role, "images", "update"),
        sync: can(actor.role, "images", "sync"),
      }}
      viewer={{
        id: actor.id,
        role: actor.role,
        groupIds: actor.groupIds,
        adminGroupIds: actor.adminGroupIds,
      }}
    />
  );
}
