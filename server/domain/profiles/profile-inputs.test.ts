// The profile form's choices are the agent's (common/ cannot import agents/protocol, so they are copied):
// a value the form offers must be one the agent builds, and the lesson inputs refuse what makes no sense.
import { describe, expect, it } from "vitest";
import { DISK_BUSES, FIRMWARES, KEYBOARD_LAYOUTS, NIC_MODELS } from "@/agents/protocol/hardware";
import { lessonSchema, minutesOf, timeOf } from "@/common/labs";
import {
  createProfileInput,
  PROFILE_DISK_BUSES,
  PROFILE_FIRMWARES,
  PROFILE_KEYBOARD_LAYOUTS,
  PROFILE_NIC_MODELS,
  updateProfileInput,
} from "@/common/profiles";

describe("profile inputs", () => {
  it("offer exactly the hardware the agent builds", () => {
    expect(PROFILE_FIRMWARES).toEqual(FIRMWARES);
    expect(PROFILE_DISK_BUSES).toEqual(DISK_BUSES);
    expect(PROFILE_NIC_MODELS).toEqual(NIC_MODELS);
    expect(PROFILE_KEYBOARD_LAYOUTS).toEqual(KEYBOARD_LAYOUTS);
  });

  it("create defaults to a throw-away BIOS/virtio desktop with a VNC console; update leaves out what is not given", () => {
    const p = createProfileInput.parse({
      name: " Lab ",
      groupId: 1,
      imageId: "0b7c1c5e-4f7e-4c39-9d59-1c8f9b0e6a11",
      flavorId: 2,
    });
    expect(p).toMatchObject({
      name: "Lab",
      throwaway: true,
      firmware: "bios",
      diskBus: "virtio",
      nicModel: "virtio",
      usbTablet: true,
      consoleKinds: ["vnc"],
      networkId: null,
      labIds: [],
    });
    expect(updateProfileInput.parse({ id: 3, usbTablet: false })).toEqual({ id: 3, usbTablet: false });
    expect(updateProfileInput.safeParse({ id: 3, diskBus: "ide" }).success).toBe(false);
    expect(createProfileInput.safeParse({ ...p, consoleKinds: [] }).success).toBe(false);
  });
});

describe("lesson inputs", () => {
  it("read HH:MM as minutes and back", () => {
    expect(minutesOf("08:05")).toBe(485);
    expect(timeOf(485)).toBe("08:05");
    expect(timeOf(minutesOf("24:00"))).toBe("24:00");
  });

  it("refuse an end not after the start, a weekday outside 1–7 and warm-up beyond 120 minutes", () => {
    const ok = { weekday: 7, start: "23:00", end: "24:00" };
    expect(lessonSchema.parse(ok)).toEqual({ ...ok, warmMinutes: 10 });
    for (const bad of [
      { ...ok, end: "23:00" },
      { ...ok, end: "22:59" },
      { ...ok, weekday: 0 },
      { ...ok, start: "24:00", end: "24:00" },
      { ...ok, warmMinutes: -1 },
      { ...ok, start: "7:00" },
    ])
      expect(lessonSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
