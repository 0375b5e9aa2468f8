import { kioskDesktopRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskDesktopRoute as POST };
