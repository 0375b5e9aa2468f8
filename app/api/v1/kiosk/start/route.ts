import { kioskStartRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskStartRoute as GET };
