import { openApiDocument } from "@/server/http/rest/api-reference";

export const dynamic = "force-dynamic";

export { openApiDocument as GET };
