import { describe, expect, it } from "vitest";
import { buildDnsmasqConfig, startDnsmasq } from "./build-dnsmasq-config";
import { resolveNetworkPaths } from "./network-paths";
import { makeNetworkSpec, NETWORK_ID } from "./testing/network-fixtures";

const paths = resolveNetworkPaths("/var/lib/educloud-agent", NETWORK_ID);
const lines = (conf: string) => conf.split("\n").filter((l) => l && !l.startsWith("#"));

describe("buildDnsmasqConfig", () => {
  it("serves DHCP only, on the bridge only", () => {
    const conf = lines(buildDnsmasqConfig(makeNetworkSpec(), paths));
    expect(conf).toEqual(
      expect.arrayContaining(["port=0", "bind-interfaces", "interface=ecbr6f1c2b3a", "except-interface=lo"]),
    );
    expect(conf.filter((l) => l.startsWith("interface="))).toHaveLength(1);
  });

  it("hands out reserved addresses only, with the gateway as router and the spec's DNS servers", () => {
    const conf = lines(buildDnsmasqConfig(makeNetworkSpec(), paths));
    expect(conf).toContain("dhcp-range=10.20.30.0,static,255.255.255.0,1h");
    expect(conf).toContain("dhcp-option=option:router,10.20.30.1");
    expect(conf).toContain("dhcp-option=option:dns-server,9.9.9.9,1.1.1.1");
    expect(conf.filter((l) => l.startsWith("dhcp-host="))).toEqual([
      "dhcp-host=02:ec:00:00:00:0a,10.20.30.10,web-1",
      "dhcp-host=02:ec:00:00:00:0b,10.20.30.11",
    ]);
  });

  it("sends no DNS option without DNS servers", () => {
    expect(buildDnsmasqConfig(makeNetworkSpec({ dnsServers: [] }), paths)).not.toContain("dns-server");
  });

  it("keeps its pid, leases and log in the network's run directory", () => {
    const conf = lines(buildDnsmasqConfig(makeNetworkSpec(), paths));
    const dir = `/var/lib/educloud-agent/networks/${NETWORK_ID}`;
    expect(conf).toEqual(
      expect.arrayContaining([
        `pid-file=${dir}/dnsmasq.pid`,
        `dhcp-leasefile=${dir}/dnsmasq.leases`,
        `log-facility=${dir}/dnsmasq.log`,
      ]),
    );
  });

  it("refuses a gateway or reservation outside the network", () => {
    expect(() => buildDnsmasqConfig(makeNetworkSpec({ gateway: "10.20.31.1" }), paths)).toThrow(/gateway/);
    expect(() =>
      buildDnsmasqConfig(
        makeNetworkSpec({ reservations: [{ mac: "02:ec:00:00:00:0a", ip: "10.9.9.9" }] }),
        paths,
      ),
    ).toThrow(/outside/);
  });

  it("cannot be steered into extra configuration lines through the network's name", () => {
    const conf = buildDnsmasqConfig(
      makeNetworkSpec({ name: "lab\ndhcp-range=0.0.0.0,255.255.255.255" }),
      paths,
    );
    expect(lines(conf).some((l) => l.startsWith("dhcp-range=0.0.0.0"))).toBe(false);
  });
});

describe("startDnsmasq", () => {
  it("names only the conf file, whose path also identifies the process as this network's", () => {
    expect(startDnsmasq(paths.dnsmasqConf)).toEqual([
      "dnsmasq",
      `--conf-file=/var/lib/educloud-agent/networks/${NETWORK_ID}/dnsmasq.conf`,
    ]);
  });
});
