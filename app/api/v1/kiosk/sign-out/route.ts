import { kioskSignOutRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskSignOutRoute as POST };
