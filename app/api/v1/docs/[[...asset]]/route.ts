import { apiReference } from "@/server/http/rest/api-reference";

export const dynamic = "force-dynamic";

export { apiReference as GET };
