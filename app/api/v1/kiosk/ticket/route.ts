import { kioskTicketRoute } from "@/server/http/kiosk";

export const dynamic = "force-dynamic";

export { kioskTicketRoute as POST };
