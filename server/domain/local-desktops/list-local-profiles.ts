// Which profiles a lab PC in local mode may offer: anonymous — the public profiles only; a user whose
// password the portal has just checked — also the profiles of the groups they belong to. A profile in
// admin mode (being edited) or whose image is gone is not offered.
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { LocalProfile } from "@/agents/protocol/local";
import { flavors, images, memberships, profiles, profileVersions } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { IMAGE_TICKET_SECONDS, imageTicketParts, signLocalTicket } from "./local-tickets";

const GiB = 1024 ** 3;

export async function listLocalProfiles(
  db: Pick<Database, "select">,
  input: { hostId: string; userId: number | null; ticketKey: Buffer },
): Promise<LocalProfile[]> {
  const groupIds =
    input.userId === null
      ? []
      : (
          await db
            .select({ groupId: memberships.groupId })
            .from(memberships)
            .where(eq(memberships.userId, input.userId))
        ).map((m) => m.groupId);
  const whose = groupIds.length
    ? or(isNull(profiles.groupId), inArray(profiles.groupId, groupIds))
    : isNull(profiles.groupId);
  const rows = await db
    .select({ profile: profiles, image: images, flavor: flavors })
    .from(profiles)
    .innerJoin(
      profileVersions,
      and(eq(profileVersions.profileId, profiles.id), eq(profileVersions.version, profiles.currentVersion)),
    )
    .innerJoin(images, eq(images.id, profileVersions.imageId))
    .innerJoin(flavors, eq(flavors.id, profiles.flavorId))
    .where(and(whose, isNull(profiles.adminInstanceId), isNull(images.deletedAt)))
    .orderBy(profiles.name, profiles.id)
    .limit(500);
  return rows.map(({ profile: p, image, flavor }) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    public: p.groupId === null,
    version: p.currentVersion,
    image: { id: image.id, sha256: image.sha256, format: image.format, sizeBytes: image.sizeBytes },
    vcpus: flavor.vcpus,
    memoryMiB: flavor.memoryMiB,
    diskGiB: Math.max(flavor.diskGiB, Math.ceil(image.virtualSizeBytes / GiB)),
    hardware: {
      firmware: p.firmware,
      diskBus: p.diskBus,
      nicModel: p.nicModel,
      usbTablet: p.usbTablet,
      keyboardLayout: p.keyboardLayout,
    },
    // Public images any local host may fetch; a group's image only with this ticket, for this host.
    ...(p.groupId === null
      ? {}
      : {
          imageTicket: signLocalTicket(
            input.ticketKey,
            imageTicketParts(input.hostId, image.id),
            IMAGE_TICKET_SECONDS,
          ),
        }),
  }));
}
