import { localProfilesForAgent } from "@/server/http/local-desktops";

export const dynamic = "force-dynamic";

export { localProfilesForAgent as POST };
