// Importing portal modules builds the process's services on first use (server/services.ts: a Redis
// client, pools, queues). A long-running portal wants that; a benchmark that imports the portal's code
// to drive it must close them, or one idle Redis socket keeps Node alive after the figures are printed.
// Imported late on purpose: server/services.ts reads the environment when it loads, and a benchmark
// sets its own database and prefix first.
export async function closePortalSingletons(): Promise<string[]> {
  const { releaseServices } = await import("@/server/services");
  return (await releaseServices()) ? ["services"] : [];
}
