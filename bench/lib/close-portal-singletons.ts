// Importing portal modules opens connections as a side effect: server/queue/index.ts connects a Redis
// client the moment it is imported (the tRPC context, the auth options and the test fixtures all import
// it), and server/db/index.ts builds a pool. A long-running portal wants that; a benchmark that imports
// the portal's code to drive it must close them, or that one idle Redis socket keeps Node alive after
// the figures are printed. The portal keeps these process-wide handles on globalThis (so that
// development hot reloads reuse them); close whichever of them this process made, and nothing else.
interface Closable {
  disconnect?: () => void;
  close?: () => Promise<unknown>;
  pool?: { end(): Promise<unknown> };
}

// Order matters: queues before the connection they ride on.
const KEYS = [
  "educloudSystemQueue",
  "educloudHostJobs",
  "educloudQueueConn",
  "educloudRedis",
  "educloudDb",
] as const;

export async function closePortalSingletons(): Promise<string[]> {
  const g = globalThis as unknown as Record<string, Closable | undefined>;
  const closed: string[] = [];
  for (const key of KEYS) {
    const handle = g[key];
    if (!handle) continue;
    delete g[key];
    // A BullMQ queue has both: close() waits for its commands; ioredis has only disconnect().
    if (handle.pool) await handle.pool.end();
    else if (handle.close) await handle.close();
    else if (handle.disconnect) handle.disconnect();
    closed.push(key);
  }
  return closed;
}
