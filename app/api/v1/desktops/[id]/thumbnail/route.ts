import { desktopThumbnail } from "@/server/http/desktop-thumbnail";

export const dynamic = "force-dynamic";

export { desktopThumbnail as GET };
