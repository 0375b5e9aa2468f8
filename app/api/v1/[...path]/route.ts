import { restHandler } from "@/server/http/rest/rest-handler";

export const dynamic = "force-dynamic";

export {
  restHandler as GET,
  restHandler as POST,
  restHandler as PATCH,
  restHandler as PUT,
  restHandler as DELETE,
};
