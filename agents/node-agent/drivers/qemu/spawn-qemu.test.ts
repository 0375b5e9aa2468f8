import { describe, expect, it } from "vitest";
import { buildQemuLaunchArgv } from "./spawn-qemu";

describe("buildQemuLaunchArgv", () => {
  it("runs QEMU niced, directly when no namespace is given", () => {
    expect(buildQemuLaunchArgv("qemu-system-x86_64", ["-daemonize"], { niceness: 5 })).toEqual([
      "nice",
      "-n",
      "5",
      "qemu-system-x86_64",
      "-daemonize",
    ]);
    expect(buildQemuLaunchArgv("qemu-system-x86_64", ["-daemonize"], { niceness: 0 })).toEqual([
      "qemu-system-x86_64",
      "-daemonize",
    ]);
  });
  it("enters the network namespace first, so QEMU opens its taps there", () => {
    expect(buildQemuLaunchArgv("qemu", ["-daemonize"], { niceness: 5, netns: "ect-1" })).toEqual([
      "ip",
      "netns",
      "exec",
      "ect-1",
      "nice",
      "-n",
      "5",
      "qemu",
      "-daemonize",
    ]);
  });
  it("starts QEMU as the user through setpriv, inside the namespace and niced, with no -runas", () => {
    expect(
      buildQemuLaunchArgv("qemu", ["-m", "64M"], {
        niceness: 5,
        netns: "ect-1",
        user: { uid: 999, gid: 998 },
      }),
    ).toEqual([
      ...["ip", "netns", "exec", "ect-1", "nice", "-n", "5"],
      ...["setpriv", "--reuid=999", "--regid=998", "--init-groups", "--no-new-privs"],
      ...["--inh-caps=-all", "--bounding-set=-all", "--", "qemu", "-m", "64M"],
    ]);
    expect(() => buildQemuLaunchArgv("qemu", [], { niceness: 0, user: { uid: -1, gid: 5 } })).toThrow(
      /invalid user/,
    );
  });
});
