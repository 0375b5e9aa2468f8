import { describe, expect, it } from "vitest";
import {
  addBridge,
  addTap,
  addVlanDevice,
  deleteAddress,
  deleteLink,
  enableIpForwarding,
  inNamespace,
  replaceAddress,
  setLinkMaster,
  setLinkNoMaster,
  setLinkUp,
  showIpv4Addresses,
  showLinks,
} from "./ip-commands";

describe("iproute2 and sysctl commands", () => {
  it("builds links", () => {
    expect(addBridge("ecbr1")).toEqual(["ip", "link", "add", "name", "ecbr1", "type", "bridge"]);
    expect(addTap("ectap1")).toEqual(["ip", "tuntap", "add", "dev", "ectap1", "mode", "tap"]);
    expect(addTap("ectap1", { uid: 999, gid: 994 })).toEqual([
      ...["ip", "tuntap", "add", "dev", "ectap1", "mode", "tap", "user", "999", "group", "994"],
    ]);
    expect(addVlanDevice("eth0", "eth0.42", 42)).toEqual([
      "ip",
      "link",
      "add",
      "link",
      "eth0",
      "name",
      "eth0.42",
      "type",
      "vlan",
      "id",
      "42",
    ]);
    expect(deleteLink("ectap1")).toEqual(["ip", "link", "del", "dev", "ectap1"]);
  });
  it("plugs and raises links", () => {
    expect(setLinkUp("ecbr1")).toEqual(["ip", "link", "set", "dev", "ecbr1", "up"]);
    expect(setLinkMaster("ectap1", "ecbr1")).toEqual([
      "ip",
      "link",
      "set",
      "dev",
      "ectap1",
      "master",
      "ecbr1",
    ]);
    expect(setLinkNoMaster("eth1")).toEqual(["ip", "link", "set", "dev", "eth1", "nomaster"]);
  });
  it("sets addresses idempotently", () => {
    expect(replaceAddress("10.0.0.1", 24, "ecbr1")).toEqual([
      "ip",
      "addr",
      "replace",
      "10.0.0.1/24",
      "dev",
      "ecbr1",
    ]);
    expect(deleteAddress("10.0.9.1", 16, "ecbr1")).toEqual([
      "ip",
      "addr",
      "del",
      "10.0.9.1/16",
      "dev",
      "ecbr1",
    ]);
  });
  it("asks for JSON when reading the host", () => {
    expect(showLinks()).toEqual(["ip", "-j", "-d", "link", "show"]);
    expect(showIpv4Addresses("ecbr1")).toEqual(["ip", "-j", "-4", "addr", "show", "dev", "ecbr1"]);
  });
  it("turns on forwarding", () => {
    expect(enableIpForwarding()).toEqual(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  });
  it("runs a command in a namespace only when one is given", () => {
    expect(inNamespace(setLinkUp("x"), "ect-1")).toEqual([
      "ip",
      "netns",
      "exec",
      "ect-1",
      "ip",
      "link",
      "set",
      "dev",
      "x",
      "up",
    ]);
    expect(inNamespace(setLinkUp("x"), undefined)).toEqual(["ip", "link", "set", "dev", "x", "up"]);
  });
});
