// One desktop at a time on this PC's own screen: a throw-away VM (an overlay on the cached base, made
// fresh at start) in a full-screen window. It ends when the guest powers off or someone presses Stop;
// then the VM is deleted — no process, overlay or run directory is left — and its usage record closed.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { LocalProfile } from "../../protocol/local";
import type { HypervisorDriver, LocalDisplay } from "../drivers/hypervisor-driver";
import type { ImageCache } from "../image-cache";
import { queueUsage } from "./local-state";

export interface LocalRun {
  vmId: string;
  usageId: string;
  profile: LocalProfile;
  /** null: anonymous. */
  user: { id: number; username: string; ticket: string } | null;
  startedAt: Date;
}

export class LocalDesktopBusyError extends Error {}

export interface LocalDesktopOptions {
  stateDir: string;
  driver: HypervisorDriver;
  images: ImageCache;
  display: LocalDisplay;
  log: Logger;
  /** How often the guest is checked for having powered off. */
  watchMs?: number;
  /** Told when a run has ended (any reason): the launcher signs its user out and reports usage. */
  onEnded?: (run: LocalRun) => void;
  /** Told when a run has started (usage to report). */
  onStarted?: (run: LocalRun) => void;
}

/**
 * VM ids of local runs are "local-" + a UUID: leftovers of this mode are found by name at start, and
 * heartbeats leave them out (the portal would take a VM it does not know for a stray and delete it).
 */
const LOCAL_VM = /^local-[0-9a-f-]{36}$/;
export const isLocalVmId = (id: string): boolean => LOCAL_VM.test(id);

export class LocalDesktop {
  private run: LocalRun | null = null;
  private starting = false;
  /** Start, stop and the watcher's clean-up one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LocalDesktopOptions) {}

  current(): LocalRun | null {
    return this.run;
  }

  busy(): boolean {
    return this.starting || this.run !== null;
  }

  /**
   * Removes what an earlier agent left (it was stopped or the PC lost power mid-run): local VMs are
   * never adopted — the person who started one is gone — so each is powered off and deleted.
   */
  async cleanUpLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    for (const vm of await this.opts.driver.list({ quick: true })) {
      if (!LOCAL_VM.test(vm.id)) continue;
      await this.opts.driver.delete(vm.id);
      removed.push(vm.id);
    }
    return removed;
  }

  start(profile: LocalProfile, user: LocalRun["user"]): Promise<LocalRun> {
    if (this.busy()) return Promise.reject(new LocalDesktopBusyError("a desktop is already running"));
    this.starting = true;
    return this.serial(async () => {
      try {
        return await this.launch(profile, user);
      } finally {
        this.starting = false;
      }
    });
  }

  /** Powers the guest off at once (its disk is thrown away anyway) and removes everything. */
  stop(): Promise<void> {
    return this.serial(() => this.finish());
  }

  private async launch(profile: LocalProfile, user: LocalRun["user"]): Promise<LocalRun> {
    const vmId = `local-${randomUUID()}`;
    const lease = await this.opts.images.lease(profile.image, undefined, { ticket: profile.imageTicket });
    try {
      await this.opts.driver.create({
        id: vmId,
        name: profile.name,
        vcpus: profile.vcpus,
        memoryMiB: profile.memoryMiB,
        diskGiB: profile.diskGiB,
        baseImagePath: lease.path,
        baseImageFormat: profile.image.format,
        // The driver falls back to TCG where KVM is not usable.
        accel: "kvm",
        // No network in this version: docs/decisions/016-local-mode.md says why.
        nics: [],
        hardware: profile.hardware,
        throwaway: true,
        localDisplay: this.opts.display,
      });
    } catch (err) {
      await this.opts.driver.delete(vmId).catch(() => undefined);
      throw err;
    } finally {
      lease.release();
    }
    const run: LocalRun = { vmId, usageId: randomUUID(), profile, user, startedAt: new Date() };
    this.run = run;
    await queueUsage(this.opts.stateDir, this.usageOf(run, null)).catch((err) =>
      this.opts.log.warn({ err: (err as Error).message }, "could not queue local usage"),
    );
    this.opts.log.info(
      { vmId, profile: profile.id, user: user?.username ?? "anonymous" },
      "local desktop started",
    );
    this.opts.onStarted?.(run);
    this.watch();
    return run;
  }

  /** Every few seconds: has the guest powered off (or QEMU died, or its window was closed)? */
  private watch(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      const run = this.run;
      if (!run) return;
      void this.opts.driver
        .status(run.vmId, { quick: true })
        .then((s) => {
          if (!s || s.state === "stopped")
            return this.serial(async () => {
              if (this.run?.vmId === run.vmId) await this.finish();
            });
        })
        .catch((err) => this.opts.log.warn({ err: (err as Error).message }, "local desktop check failed"));
    }, this.opts.watchMs ?? 2_000);
    this.timer.unref();
  }

  private async finish(): Promise<void> {
    const run = this.run;
    clearInterval(this.timer);
    if (!run) return;
    // Delete powers QEMU off and removes the run directory with the overlay in it.
    await this.opts.driver.delete(run.vmId);
    this.run = null;
    await queueUsage(this.opts.stateDir, this.usageOf(run, new Date())).catch((err) =>
      this.opts.log.warn({ err: (err as Error).message }, "could not queue local usage"),
    );
    this.opts.log.info({ vmId: run.vmId }, "local desktop ended; nothing of it is left");
    this.opts.onEnded?.(run);
  }

  private usageOf(run: LocalRun, endedAt: Date | null) {
    return {
      id: run.usageId,
      userId: run.user?.id ?? null,
      userTicket: run.user?.ticket,
      profileId: run.profile.id,
      profileName: run.profile.name,
      profileVersion: run.profile.version,
      startedAt: run.startedAt,
      endedAt,
    };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
