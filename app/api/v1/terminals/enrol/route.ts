import { enrolTerminalRoute } from "@/server/http/terminals";

export const dynamic = "force-dynamic";

export { enrolTerminalRoute as POST };
