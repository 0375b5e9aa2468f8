import { z } from "zod";
import type { InstanceKind } from "./instance-states";

/**
 * What a cluster's hosts are for (issue 14, B2): virtual servers, remote desktops, or lab PCs that run
 * desktops themselves (local mode). A host in no cluster takes servers and remote desktops alike, so a
 * one-host school needs no clusters at all.
 */
export const CLUSTER_KINDS = ["servers", "desktops", "local"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/**
 * Whether the scheduler may place an instance of this kind on a host of a cluster of this kind (null:
 * the host is in no cluster). Admin mode (a profile's template being edited) is a remote desktop too.
 * Nothing is placed on "local" hosts: they start their desktops themselves.
 */
export function clusterTakes(cluster: ClusterKind | null, instance: InstanceKind): boolean {
  if (cluster === null) return true;
  if (cluster === "servers") return instance === "server";
  if (cluster === "desktops") return instance === "desktop" || instance === "admin";
  return false;
}

/**
 * Whether the scheduler may place an instance of this kind on this host: its cluster takes the kind, and
 * the host does not report local mode. A lab PC's agent in local mode says so in its facts; whatever
 * cluster it was joined to (a token for the wrong cluster, or none), its screen and memory are the
 * person's at it, so it takes nothing (found in review: such a PC joined outside a local cluster got
 * servers and remote desktops).
 */
export function hostTakes(
  host: { cluster: ClusterKind | null; localMode: boolean },
  instance: InstanceKind,
): boolean {
  return !host.localMode && clusterTakes(host.cluster, instance);
}

/** The cluster kind an instance of this kind needs (for "no host of this kind" messages). */
export const clusterKindFor = (instance: InstanceKind): ClusterKind =>
  instance === "server" ? "servers" : "desktops";

const clusterName = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(64, "At most 64 characters.")
  .regex(/^[\w. -]+$/, "Letters, digits, space, dot, dash, underscore.");
const clusterId = z.number().int().positive();

export const createClusterInput = z.object({
  name: clusterName,
  kind: z.enum(CLUSTER_KINDS),
  description: z.string().trim().max(300, "At most 300 characters.").default(""),
});
export const renameClusterInput = z.object({
  id: clusterId,
  name: clusterName,
  description: z.string().trim().max(300, "At most 300 characters.").optional(),
});
export const deleteClusterInput = z.object({ id: clusterId });
/** clusterId null: out of every cluster (the host takes servers and remote desktops again). */
export const setHostClusterInput = z.object({ hostId: z.uuid(), clusterId: clusterId.nullable() });
/** A join token may name the cluster the new host lands in; the agent cannot choose it. */
export const createJoinTokenInput = z.object({ clusterId: clusterId.nullable().default(null) }).optional();
