import { kioskStateRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskStateRoute as GET };
