import type { Logger } from "pino";
import type { AgentMessage } from "../../protocol/agent-message";
import type { DriverRegistry } from "../drivers/driver-registry";
import type { ImageCache } from "../image-cache";
import type { HostNetworking } from "../network/host-network";
import type { EventSender } from "../send-events";

export interface JobContext {
  hostId: string;
  jobId: string;
  /**
   * The host's drivers: a create job names its hypervisor, every other job finds the driver that has
   * its VM (registry.forVm).
   */
  drivers: DriverRegistry;
  images: ImageCache;
  /** Bridges, DHCP, firewall and taps of this host's networks. */
  network: HostNetworking;
  events: EventSender;
  log: Logger;
  /** The agent's state directory (scratch space for captures). */
  stateDir?: string;
  /** `Authorization` header value proving this host to the portal (capture uploads). */
  authHeader?: string;
  /** The portal this host joined; every URL the agent calls is built on it. */
  portalUrl?: string;
}

export const reportState = (
  ctx: JobContext,
  instanceId: string,
  state: "BUILDING" | "RUNNING" | "STOPPED" | "DELETED" | "ERROR",
  extra: { reason?: string; reasonMessage?: AgentMessage; accel?: "kvm" | "tcg" | "none" } = {},
) =>
  ctx.events.send({
    type: "instance.state",
    hostId: ctx.hostId,
    at: new Date(),
    instanceId,
    state,
    jobId: ctx.jobId,
    ...extra,
  });

export const reportProgress = (ctx: JobContext, instanceId: string, percent: number, message: string) =>
  ctx.events.send({
    type: "instance.progress",
    hostId: ctx.hostId,
    at: new Date(),
    instanceId,
    percent,
    message,
  });
