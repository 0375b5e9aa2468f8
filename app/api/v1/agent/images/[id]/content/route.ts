import { imageContentForAgent } from "@/server/http/agent";

export const dynamic = "force-dynamic";

export { imageContentForAgent as GET };
