import { consoleKeyForAgent } from "@/server/http/agent";

export const dynamic = "force-dynamic";

export { consoleKeyForAgent as GET };
