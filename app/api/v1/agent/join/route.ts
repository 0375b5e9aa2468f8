import { joinAgent } from "@/server/http/agent";

export const dynamic = "force-dynamic";

export { joinAgent as POST };
