// Importing portal modules builds the process's services on first use (server/services.ts: a Redis
// client, pools, queues). A long-running portal wants that; a benchmark that imports the portal's code
// to drive it must close them, or one idle Redis socket keeps Node alive after the figures are printed.
import { releaseServices } from "@/server/services";

export async function closePortalSingletons(): Promise<string[]> {
  return (await releaseServices()) ? ["services"] : [];
}
