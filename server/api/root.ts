import { accountRouter } from "./routers/account";
import { apiTokensRouter } from "./routers/api-tokens";
import { auditRouter } from "./routers/audit";
import { classesRouter } from "./routers/classes";
import { groupsRouter } from "./routers/groups";
import { consolesRouter } from "./routers/consoles";
import { flavorsRouter } from "./routers/flavors";
import { healthRouter } from "./routers/health";
import { localDesktopsRouter } from "./routers/local-desktops";
import { clustersRouter } from "./routers/clusters";
import { hostsRouter } from "./routers/hosts";
import { imagesRouter } from "./routers/images";
import { instancesRouter } from "./routers/instances";
import { capturesRouter, snapshotsRouter, volumesRouter } from "./routers/instance-storage";
import { ipamRouter, networksRouter, portForwardsRouter } from "./routers/networks";
import { quotasRouter } from "./routers/quotas";
import { portalSettingsRouter } from "./routers/portal-settings";
import { tasksRouter } from "./routers/tasks";
import { usersRouter } from "./routers/users";
import { labsRouter } from "./routers/labs";
import { terminalsRouter } from "./routers/terminals";
import { profilesRouter } from "./routers/profiles";
import { desktopsRouter } from "./routers/desktops";
import { poolsRouter } from "./routers/pools";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  apiTokens: apiTokensRouter,
  users: usersRouter,
  groups: groupsRouter,
  classes: classesRouter,
  audit: auditRouter,
  health: healthRouter,
  hosts: hostsRouter,
  localDesktops: localDesktopsRouter,
  clusters: clustersRouter,
  flavors: flavorsRouter,
  images: imagesRouter,
  instances: instancesRouter,
  consoles: consolesRouter,
  networks: networksRouter,
  ipam: ipamRouter,
  portForwards: portForwardsRouter,
  tasks: tasksRouter,
  quotas: quotasRouter,
  snapshots: snapshotsRouter,
  volumes: volumesRouter,
  captures: capturesRouter,
  portalSettings: portalSettingsRouter,
  profiles: profilesRouter,
  labs: labsRouter,
  terminals: terminalsRouter,
  pools: poolsRouter,
  desktops: desktopsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
