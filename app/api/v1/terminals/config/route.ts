import { terminalConfigRoute } from "@/server/http/terminals";

export const dynamic = "force-dynamic";

export { terminalConfigRoute as GET };
