import { localUsageFromAgent } from "@/server/http/local-desktops";

export const dynamic = "force-dynamic";

export { localUsageFromAgent as POST };
