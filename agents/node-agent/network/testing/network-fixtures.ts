import type { NetworkSpec } from "../../../protocol/network";

export const NETWORK_ID = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

/** A valid spec to vary per test. */
export function makeNetworkSpec(overrides: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    id: NETWORK_ID,
    name: "lab",
    revision: 3,
    bridge: "ecbr6f1c2b3a",
    cidr: "10.20.30.0/24",
    gateway: "10.20.30.1",
    dnsServers: ["9.9.9.9", "1.1.1.1"],
    vlanId: null,
    uplink: null,
    nat: true,
    reservations: [
      { mac: "02:ec:00:00:00:0a", ip: "10.20.30.10", hostname: "web-1" },
      { mac: "02:ec:00:00:00:0b", ip: "10.20.30.11" },
    ],
    portForwards: [{ protocol: "tcp", hostPort: 8080, guestIp: "10.20.30.10", guestPort: 80 }],
    ...overrides,
  };
}
