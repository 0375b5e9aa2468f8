import { describe, expect, it } from "vitest";
import {
  applyNftScript,
  applyNftStdin,
  buildNftDeleteScript,
  buildNftRuleset,
  listNftTables,
} from "./build-nft-ruleset";
import { makeNetworkSpec, NETWORK_ID } from "./testing/network-fixtures";

const table = "educloud_6f1c2b3a4d5e4f608a7b9c0d1e2f3a4b";

/** The rules of one chain, trimmed, without its type line. */
function chain(script: string, name: string): string[] {
  const body = new RegExp(`chain ${name} \\{\\n([\\s\\S]*?)\\n  \\}`).exec(script)?.[1];
  if (body === undefined) throw new Error(`no chain ${name}`);
  return body
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => !l.startsWith("type "));
}

describe("buildNftRuleset", () => {
  it("replaces the network's table atomically: create, delete, define in one script", () => {
    const script = buildNftRuleset(makeNetworkSpec());
    expect(script.split("\n").slice(0, 3)).toEqual([
      `table ip ${table} {}`,
      `delete table ip ${table}`,
      `table ip ${table} {`,
    ]);
    expect(script.endsWith("}\n")).toBe(true);
  });

  it("masquerades the network's traffic leaving by any other interface when NAT is on, and only then", () => {
    expect(chain(buildNftRuleset(makeNetworkSpec({ portForwards: [] })), "postrouting")).toEqual([
      'ip saddr 10.20.30.0/24 oifname != "ecbr6f1c2b3a" masquerade',
    ]);
    expect(chain(buildNftRuleset(makeNetworkSpec({ nat: false, portForwards: [] })), "postrouting")).toEqual(
      [],
    );
  });

  it("uses the network address even when the CIDR is written with host bits", () => {
    expect(buildNftRuleset(makeNetworkSpec({ cidr: "10.20.30.7/24" }))).toContain("ip saddr 10.20.30.0/24");
  });

  it("DNATs each port forward from outside and from the host itself, and lets it through the forward hook", () => {
    const spec = makeNetworkSpec({
      portForwards: [
        { protocol: "tcp", hostPort: 8080, guestIp: "10.20.30.10", guestPort: 80 },
        { protocol: "udp", hostPort: 5353, guestIp: "10.20.30.11", guestPort: 53 },
      ],
    });
    const script = buildNftRuleset(spec);
    const dnat = [
      "fib daddr type local tcp dport 8080 dnat to 10.20.30.10:80",
      "fib daddr type local udp dport 5353 dnat to 10.20.30.11:53",
    ];
    expect(chain(script, "prerouting")).toEqual(dnat);
    expect(chain(script, "output")).toEqual(dnat);
    expect(chain(script, "forward")).toEqual(
      expect.arrayContaining([
        'oifname "ecbr6f1c2b3a" ip daddr 10.20.30.10 tcp dport 80 ct status dnat accept',
        'oifname "ecbr6f1c2b3a" ip daddr 10.20.30.11 udp dport 53 ct status dnat accept',
      ]),
    );
    expect(chain(script, "postrouting")).toContain(
      'oifname "ecbr6f1c2b3a" ip saddr 10.20.30.0/24 ct status dnat masquerade',
    );
  });

  it("keeps networks apart in both directions, after replies and published forwards", () => {
    const rules = chain(buildNftRuleset(makeNetworkSpec()), "forward");
    const out = rules.indexOf('iifname "ecbr6f1c2b3a" oifname "ecbr*" drop');
    const inbound = rules.indexOf('oifname "ecbr6f1c2b3a" iifname "ecbr*" drop');
    for (const drop of [out, inbound]) {
      expect(drop).toBeGreaterThan(rules.indexOf("ct state established,related accept"));
      expect(drop).toBeGreaterThan(rules.findIndex((r) => r.includes("ct status dnat accept")));
    }
  });

  it("lets a network's guests meet on their bridge before anything is dropped (br_netfilter shows those frames here)", () => {
    const rules = chain(buildNftRuleset(makeNetworkSpec()), "forward");
    const same = rules.indexOf('iifname "ecbr6f1c2b3a" oifname "ecbr6f1c2b3a" accept');
    expect(same).toBe(rules.indexOf("ct state established,related accept") + 1);
    expect(rules.findIndex((r) => r.endsWith(" drop"))).toBeGreaterThan(same);
  });

  it("lets guests out only from their own addresses, to nothing blocked, and drops the rest", () => {
    const rules = chain(buildNftRuleset(makeNetworkSpec()), "forward");
    const blocked = rules.indexOf('iifname "ecbr6f1c2b3a" ip daddr @blocked_egress drop');
    const egress = rules.indexOf('iifname "ecbr6f1c2b3a" ip saddr 10.20.30.0/24 accept');
    expect(blocked).toBeGreaterThan(rules.indexOf('iifname "ecbr6f1c2b3a" oifname "ecbr*" drop'));
    expect(egress).toBeGreaterThan(blocked);
    expect(rules.indexOf('iifname "ecbr6f1c2b3a" drop')).toBe(egress + 1);
    expect(rules.at(-1)).toBe('oifname "ecbr6f1c2b3a" drop');
  });

  it("lets new connections from outside into a routed network only, never into a NAT one", () => {
    const inbound = 'oifname "ecbr6f1c2b3a" ip daddr 10.20.30.0/24 accept';
    expect(chain(buildNftRuleset(makeNetworkSpec({ nat: false })), "forward")).toContain(inbound);
    expect(chain(buildNftRuleset(makeNetworkSpec({ nat: true })), "forward")).not.toContain(inbound);
  });

  it("blocks private, shared and link-local ranges by default; the spec may narrow or empty the list", () => {
    expect(buildNftRuleset(makeNetworkSpec())).toContain(
      "elements = { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16 }",
    );
    expect(buildNftRuleset(makeNetworkSpec({ blockedEgress: ["10.1.2.3/16", "192.0.2.7/32"] }))).toContain(
      "elements = { 10.1.0.0/16, 192.0.2.7/32 }",
    );
    const none = buildNftRuleset(makeNetworkSpec({ blockedEgress: [] }));
    expect(none).not.toContain("blocked_egress");
    expect(chain(none, "forward")).toContain('iifname "ecbr6f1c2b3a" ip saddr 10.20.30.0/24 accept');
  });

  it("lets guests reach the host only for DHCP and a ping to the gateway, and DNS only when the gateway serves it", () => {
    expect(chain(buildNftRuleset(makeNetworkSpec()), "input")).toEqual([
      'iifname != "ecbr6f1c2b3a" accept',
      "ct state established,related accept",
      "udp sport 68 udp dport 67 accept",
      "ip daddr 10.20.30.1 icmp type echo-request limit rate 100/second accept",
      "drop",
    ]);
    expect(chain(buildNftRuleset(makeNetworkSpec({ dnsServers: ["10.20.30.1"] })), "input")).toContain(
      "ip daddr 10.20.30.1 meta l4proto { tcp, udp } th dport 53 accept",
    );
  });

  it("has no forward rules and no hairpin without port forwards", () => {
    const script = buildNftRuleset(makeNetworkSpec({ portForwards: [] }));
    expect(chain(script, "prerouting")).toEqual([]);
    expect(script).not.toContain("dnat to");
  });
});

describe("nft commands", () => {
  it("deletes a table without failing when it is already gone", () => {
    expect(buildNftDeleteScript(NETWORK_ID)).toBe(`table ip ${table} {}\ndelete table ip ${table}\n`);
  });
  it("builds argv", () => {
    expect(applyNftScript("/s/firewall.nft")).toEqual(["nft", "-f", "/s/firewall.nft"]);
    expect(applyNftStdin()).toEqual(["nft", "-f", "-"]);
    expect(listNftTables()).toEqual(["nft", "-j", "list", "tables"]);
  });
});
