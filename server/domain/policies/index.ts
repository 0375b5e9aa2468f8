import type { Resource } from "@/common/permissions";
import { classesPolicy, quotasPolicy } from "./classes";
import { groupsPolicy } from "./groups";
import { imagesPolicy } from "./images";
import { consolesPolicy, instancesPolicy, portForwardsPolicy, snapshotsPolicy } from "./instances";
import { ipamPolicy } from "./ipam";
import { labsPolicy, profilesPolicy } from "./labs";
import type { AccessPolicy } from "./policy";
import { tasksPolicy } from "./tasks";
import { usersPolicy } from "./users";
import { volumesPolicy } from "./volumes";
import { desktopsPolicy, poolsPolicy } from "./pools";
import { terminalsPolicy } from "./terminals";
import { apiTokensPolicy } from "./api-tokens";

/** Every resource whose permission entries reach beyond the role (scope group or own), and its rule. */
export const POLICIES = {
  users: usersPolicy,
  groups: groupsPolicy,
  classes: classesPolicy,
  quotas: quotasPolicy,
  images: imagesPolicy,
  tasks: tasksPolicy,
  consoles: consolesPolicy,
  ipam: ipamPolicy,
  portForwards: portForwardsPolicy,
  instances: instancesPolicy,
  snapshots: snapshotsPolicy,
  volumes: volumesPolicy,
  profiles: profilesPolicy,
  labs: labsPolicy,
  pools: poolsPolicy,
  desktops: desktopsPolicy,
  terminals: terminalsPolicy,
  apiTokens: apiTokensPolicy,
} as const satisfies Partial<Record<Resource, AccessPolicy<never>>>;

export type PolicedResource = keyof typeof POLICIES;
export type PolicyObject<R extends PolicedResource> = Parameters<(typeof POLICIES)[R]["mayActOn"]>[1];
