import "server-only";
import { db } from "@/server/db";
import { sharedPortalTus, UPLOADS_PATH, type PortalTus } from "./build-portal-tus";

export { UPLOADS_PATH };

/** The portal's one tus server, for the App Router route files (see build-portal-tus.ts). */
export const portalTus = (): PortalTus => sharedPortalTus(db);
