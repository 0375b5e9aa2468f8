// Host networking for eduCloud networks: one Linux bridge per network with the gateway address on
// it, an optional uplink (or 802.1q VLAN device on it) as a bridge port, one dnsmasq for DHCP, one
// nftables table (NAT, port forwards, guest → host and guest → guest isolation), and a tap per VM NIC
// with its own anti-spoofing table. See README.md.
import { PermanentJobError } from "../permanent-job-error";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type { Logger } from "pino";
import {
  ifnameSchema,
  networkSpecSchema,
  nicSpecSchema,
  type NetworkSpec,
  type NicSpec,
} from "../../protocol/network";
import { buildDnsmasqConfig, startDnsmasq } from "./build-dnsmasq-config";
import { buildNicDenyAll, buildNicFilter, buildNicFilterDelete } from "./build-nic-filter";
import {
  applyNftScript,
  applyNftStdin,
  buildNftDeleteScript,
  buildNftRuleset,
  listNftTables,
} from "./build-nft-ruleset";
import { parseCidr } from "./cidr";
import {
  addBridge,
  addTap,
  addVlanDevice,
  deleteAddress,
  deleteLink,
  enableIpForwarding,
  replaceAddress,
  setLinkMaster,
  setLinkNoMaster,
  setLinkUp,
  showIpv4Addresses,
  showLinks,
  type TapOwner,
} from "./ip-commands";
import {
  isEducloudBridge,
  isEducloudNicTable,
  isEducloudTable,
  isEducloudTap,
  nameNicTable,
  nameVlanDevice,
  VLAN_PREFIX,
} from "./network-names";
import { resolveNetworkPaths, resolveNetworksDir, type NetworkPaths } from "./network-paths";
import { findDnsmasqUnder, stopProcess } from "./network-processes";
import { readAppliedNetwork, writeAppliedNetwork, type AppliedNetwork } from "./network-state";
import { parseIpv4Addresses, parseLinks, parseNftTables, type LinkInfo } from "./parse-host-state";
import { createHostCommandRunner, type HostCommandRunner } from "./run-host-command";

export interface ApplyResult {
  /** false: the spec was older than the one applied last, and nothing was done. */
  applied: boolean;
  /** The revision now in force on this host. */
  revision: number;
}

/** What the agent built and has not removed; all empty on a clean host. */
export interface NetworkLeftovers {
  bridges: string[];
  taps: string[];
  vlans: string[];
  /** The networks' tables and the NICs' anti-spoofing tables. */
  tables: string[];
  dnsmasqPids: number[];
  /** Network run directories (dnsmasq conf, leases, state) under the state dir. */
  runDirs: string[];
}

/** What jobs need from host networking; HostNetwork is the real one, tests may pass a fake. */
export interface HostNetworking {
  applyNetwork(spec: NetworkSpec): Promise<ApplyResult>;
  removeNetwork(networkId: string, bridge: string, revision?: number): Promise<void>;
  ensureTap(nic: NicSpec, owner?: TapOwner): Promise<void>;
  removeTap(tap: string): Promise<void>;
  listLeftovers(): Promise<NetworkLeftovers>;
}

export interface HostNetworkOptions {
  stateDir: string;
  /** Work inside this network namespace (`ip netns exec`); unset in production. See README.md. */
  netns?: string;
  log?: Logger;
  /** Replaceable in tests. */
  run?: HostCommandRunner;
  /**
   * Host interfaces this host's operator lets networks use as uplinks (EDUCLOUD_AGENT_UPLINKS). A job
   * naming any other is refused: enslaving the management NIC would cut the host off its own LAN.
   */
  allowedUplinks?: readonly string[];
}

/** The operator's list of uplinks from the agent's environment (comma-separated; none when unset). */
export function allowedUplinksFromEnv(value = process.env.EDUCLOUD_AGENT_UPLINKS): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export class HostNetwork implements HostNetworking {
  private readonly run: HostCommandRunner;
  /** Last revision applied per network; kept after a removal so a late, older apply stays ignored. */
  private readonly revisions = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: HostNetworkOptions) {
    this.run = opts.run ?? createHostCommandRunner(opts.netns);
  }

  applyNetwork(input: NetworkSpec): Promise<ApplyResult> {
    const spec = networkSpecSchema.parse(input);
    return this.withLock(spec.id, () => this.applyLocked(spec));
  }

  removeNetwork(networkId: string, bridge: string, revision?: number): Promise<void> {
    ifnameSchema.parse(bridge);
    const paths = resolveNetworkPaths(this.opts.stateDir, networkId);
    return this.withLock(networkId, async () => {
      await this.removeLocked(networkId, bridge, paths);
      // Specs older than the removal, still queued, are now stale: they must not rebuild the network.
      if (revision !== undefined)
        this.revisions.set(networkId, Math.max(this.revisions.get(networkId) ?? 0, revision));
    });
  }

  async ensureTap(input: NicSpec, owner?: TapOwner): Promise<void> {
    const nic = nicSpecSchema.parse(input);
    const { bridge } = nic.network;
    if ((await this.readLinks()).get(bridge)?.kind !== "bridge") await this.applyNetwork(nic.network);
    await this.withLock(`tap:${nic.tap}`, async () => {
      const links = await this.readLinks();
      if (links.get(bridge)?.kind !== "bridge")
        throw new Error(
          `bridge ${bridge} of network ${nic.network.id} is missing and its spec (revision ${nic.network.revision}) is older than the one applied`,
        );
      let tap = links.get(nic.tap);
      if (tap && tap.kind !== "tun")
        throw new Error(`${nic.tap} exists on this host and is not a tap device`);
      // A tap made for another owner (before QEMU ran unprivileged) that no QEMU holds open is made
      // again; one in use stays until its VM stops (deleting it would cut a running guest off).
      if (tap && owner && !(await this.isOwnedBy(tap, owner)) && (!tap.up || tap.noCarrier)) {
        await this.run(deleteLink(nic.tap));
        tap = undefined;
      }
      if (!tap) await this.run(addTap(nic.tap, owner));
      // Before the tap joins the bridge, so a guest never sends one frame unfiltered.
      await this.run(applyNftStdin(), { input: buildNicFilter(nic) });
      if (tap?.master !== bridge) await this.run(setLinkMaster(nic.tap, bridge));
      if (!tap?.up) await this.run(setLinkUp(nic.tap));
    });
  }

  /**
   * Puts the anti-spoofing filter of `nic` on the existing port `nic.tap`, whatever its kind: ensureTap
   * does it for taps; tests plug veth pairs and guard them the same way.
   */
  async guardNic(input: NicSpec): Promise<void> {
    const nic = nicSpecSchema.parse(input);
    await this.withLock(`tap:${nic.tap}`, () => this.run(applyNftStdin(), { input: buildNicFilter(nic) }));
  }

  /**
   * Puts each NIC's filter back on its tap, for the taps that exist: VMs that ran on while the agent was
   * away (upgraded from a version without filters, or a filter lost). A missing tap is left to
   * ensureTap at its VM's next start.
   */
  async guardExistingTaps(nics: readonly NicSpec[]): Promise<void> {
    const links = await this.readLinks();
    for (const nic of nics) if (links.get(nic.tap)?.kind === "tun") await this.guardNic(nic);
  }

  /** Deletes the tap and its filter; a missing tap is a no-op (its filter, if left, still goes). */
  async removeTap(tap: string): Promise<void> {
    ifnameSchema.parse(tap);
    await this.withLock(`tap:${tap}`, async () => {
      const link = (await this.readLinks()).get(tap);
      // Names come from the portal: never delete a host interface that merely shares the name.
      if (link && link.kind !== "tun") throw new Error(`${tap} is not a tap device; not deleting it`);
      if (link) await this.run(deleteLink(tap));
      // After the link: the filter never comes off a port that can still send.
      await this.run(applyNftStdin(), { input: buildNicFilterDelete(tap) });
    });
  }

  async listLeftovers(): Promise<NetworkLeftovers> {
    const links = [...(await this.readLinks()).values()];
    const tables = parseNftTables(await this.run(listNftTables()));
    const networksDir = resolveNetworksDir(this.opts.stateDir);
    return {
      bridges: links.filter((l) => l.kind === "bridge" && isEducloudBridge(l.name)).map((l) => l.name),
      taps: links.filter((l) => l.kind === "tun" && isEducloudTap(l.name)).map((l) => l.name),
      vlans: links
        .filter(
          (l) => l.kind === "vlan" && (l.name.startsWith(VLAN_PREFIX) || isEducloudBridge(l.master ?? "")),
        )
        .map((l) => l.name),
      tables: tables
        .filter(
          (t) =>
            (t.family === "ip" && isEducloudTable(t.name)) ||
            (t.family === "netdev" && isEducloudNicTable(t.name)),
        )
        .map((t) => t.name),
      dnsmasqPids: await findDnsmasqUnder(networksDir),
      runDirs: await readdir(networksDir).catch(() => []),
    };
  }

  private async applyLocked(spec: NetworkSpec): Promise<ApplyResult> {
    const paths = resolveNetworkPaths(this.opts.stateDir, spec.id);
    const previous = await readAppliedNetwork(paths.state);
    const last = this.revisions.get(spec.id) ?? previous?.revision;
    if (last !== undefined && spec.revision < last) {
      // A VM's persisted NIC carries the spec of its creation: after a host reboot the bridge is gone
      // and only such older specs arrive (instance.start), so the newest one known is rebuilt instead.
      if (previous?.revision === last && (await this.readLinks()).get(previous.bridge)?.kind !== "bridge") {
        this.opts.log?.info(
          { network: spec.id, revision: last },
          "network missing on this host; rebuilding its last applied spec",
        );
        return this.applyLocked(previous.spec);
      }
      this.opts.log?.info(
        { network: spec.id, revision: spec.revision, applied: last },
        "ignoring an older network spec",
      );
      return { applied: false, revision: last };
    }
    // Everything that can be refused is built before the host is touched.
    const { prefix } = parseCidr(spec.cidr);
    const dnsmasqConf = buildDnsmasqConfig(spec, paths);
    const ruleset = buildNftRuleset(spec);

    await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
    const links = await this.readLinks();
    const existing = links.get(spec.bridge);
    if (existing && existing.kind !== "bridge")
      throw new Error(`${spec.bridge} exists on this host and is not a bridge`);
    if (!existing) await this.run(addBridge(spec.bridge));
    await this.syncBridgeAddress(spec.bridge, spec.gateway, prefix);
    await this.run(setLinkUp(spec.bridge));
    const uplink = await this.syncUplink(spec, previous, links);
    await this.denyUnguardedPorts(spec.bridge, links);
    await this.run(enableIpForwarding());
    await writeFile(paths.firewall, ruleset, { mode: 0o600 });
    await this.run(applyNftScript(paths.firewall));
    await this.syncDnsmasq(paths, dnsmasqConf);

    await writeAppliedNetwork(paths.state, {
      networkId: spec.id,
      revision: spec.revision,
      bridge: spec.bridge,
      ...uplink,
      appliedAt: new Date().toISOString(),
      spec,
    });
    this.revisions.set(spec.id, spec.revision);
    return { applied: true, revision: spec.revision };
  }

  private async removeLocked(networkId: string, bridge: string, paths: NetworkPaths): Promise<void> {
    const previous = await readAppliedNetwork(paths.state);
    for (const pid of await findDnsmasqUnder(paths.runDir)) await stopProcess(pid);
    await this.run(applyNftStdin(), { input: buildNftDeleteScript(networkId) });
    const links = await this.readLinks();
    if (previous?.vlanDevice && links.get(previous.vlanDevice)?.kind === "vlan")
      await this.run(deleteLink(previous.vlanDevice));
    const br = links.get(bridge);
    if (br && br.kind !== "bridge") throw new Error(`${bridge} is not a bridge; not deleting it`);
    if (br) await this.run(deleteLink(bridge));
    await rm(paths.runDir, { recursive: true, force: true });
  }

  /** Exactly the gateway address on the bridge: addresses of an older revision are taken off. */
  private async syncBridgeAddress(bridge: string, gateway: string, prefix: number): Promise<void> {
    const addresses = parseIpv4Addresses(await this.run(showIpv4Addresses(bridge)));
    if (!addresses.some((a) => a.address === gateway && a.prefix === prefix))
      await this.run(replaceAddress(gateway, prefix, bridge));
    for (const a of addresses) {
      if (a.address !== gateway || a.prefix !== prefix)
        await this.run(deleteAddress(a.address, a.prefix, bridge));
    }
  }

  /**
   * The bridge's one non-tap port: the uplink, or the VLAN device on it. Ports of an earlier revision
   * are released (a VLAN device this agent made is deleted); taps are left to their VMs.
   */
  private async syncUplink(
    spec: NetworkSpec,
    previous: AppliedNetwork | null,
    links: Map<string, LinkInfo>,
  ): Promise<Pick<AppliedNetwork, "uplinkDevice" | "vlanDevice">> {
    let device: string | null = null;
    let vlanDevice: string | null = null;
    if (spec.uplink) {
      if (!(this.opts.allowedUplinks ?? []).includes(spec.uplink))
        throw new PermanentJobError(
          `uplink ${spec.uplink} is not one this host allows (EDUCLOUD_AGENT_UPLINKS on the host lists them)`,
        );
      if (!links.has(spec.uplink)) throw new Error(`uplink ${spec.uplink} does not exist on this host`);
      device = spec.uplink;
      if (spec.vlanId !== null) {
        vlanDevice = device = nameVlanDevice(spec.uplink, spec.vlanId);
        const vlan = links.get(vlanDevice);
        if (vlan && vlan.kind !== "vlan")
          throw new Error(`${vlanDevice} exists on this host and is not a VLAN device`);
        if (!vlan) await this.run(addVlanDevice(spec.uplink, vlanDevice, spec.vlanId));
        await this.run(setLinkUp(spec.uplink));
      }
      if (links.get(device)?.master !== spec.bridge) await this.run(setLinkMaster(device, spec.bridge));
      await this.run(setLinkUp(device));
    }
    const stale = previous?.vlanDevice && previous.vlanDevice !== vlanDevice ? previous.vlanDevice : null;
    for (const l of links.values()) {
      if (l.master !== spec.bridge || l.name === device || isEducloudTap(l.name) || l.name === stale)
        continue;
      await this.run(setLinkNoMaster(l.name));
    }
    if (stale && links.get(stale)?.kind === "vlan") await this.run(deleteLink(stale));
    return { uplinkDevice: device, vlanDevice };
  }

  /**
   * A guest port of the bridge without its NIC's filter (a tap made by an older agent, a filter someone
   * deleted) could send anything: it gets a filter that lets nothing through, until ensureTap gives it
   * its NIC's. Ports other than taps and the uplink were released by syncUplink already.
   */
  private async denyUnguardedPorts(bridge: string, links: Map<string, LinkInfo>): Promise<void> {
    const ports = [...links.values()].filter((l) => l.master === bridge && isEducloudTap(l.name));
    if (!ports.length) return;
    const guarded = async () =>
      new Set(
        parseNftTables(await this.run(listNftTables()))
          .filter((t) => t.family === "netdev")
          .map((t) => t.name),
      );
    const before = await guarded();
    for (const port of ports) {
      if (before.has(nameNicTable(port.name))) continue;
      // Under the tap's lock, checked again: an ensureTap that just filtered it is not undone.
      await this.withLock(`tap:${port.name}`, async () => {
        if ((await guarded()).has(nameNicTable(port.name))) return;
        this.opts.log?.warn(
          { port: port.name, bridge },
          "guest port without its filter; denying all it sends",
        );
        await this.run(applyNftStdin(), { input: buildNicDenyAll(port.name) });
      });
    }
  }

  /** Restarts dnsmasq when its configuration changed or it is not running; otherwise leaves it be. */
  private async syncDnsmasq(paths: NetworkPaths, conf: string): Promise<void> {
    const running = await findDnsmasqUnder(paths.runDir);
    const current = await readFile(paths.dnsmasqConf, "utf8").catch(() => null);
    if (running.length === 1 && current === conf) return;
    for (const pid of running) await stopProcess(pid);
    await writeFile(paths.dnsmasqConf, conf, { mode: 0o600 });
    await rm(paths.dnsmasqPid, { force: true });
    // dnsmasq reports configuration and bind errors before it forks, so a failure rejects here.
    await this.run(startDnsmasq(paths.dnsmasqConf));
  }

  /** `ip -d` prints the owner's name when the host knows it, else the uid. */
  private async isOwnedBy(tap: LinkInfo, owner: TapOwner): Promise<boolean> {
    if (tap.owner === undefined) return false;
    if (tap.owner === String(owner.uid)) return true;
    const uid = await this.run(["id", "-u", "--", tap.owner]).catch(() => "");
    return uid.trim() === String(owner.uid);
  }

  private async readLinks(): Promise<Map<string, LinkInfo>> {
    return new Map(parseLinks(await this.run(showLinks())).map((l) => [l.name, l]));
  }

  private async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
