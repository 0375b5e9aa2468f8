import { kioskSignInRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskSignInRoute as POST };
