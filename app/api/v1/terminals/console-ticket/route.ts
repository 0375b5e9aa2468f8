import { terminalConsoleTicketRoute } from "@/server/http/terminals";

export const dynamic = "force-dynamic";

export { terminalConsoleTicketRoute as POST };
