import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

describe("flavors", () => {
  it("a flavor in use cannot be deleted, and the error says by how many instances", async () => {
    const adm = await makeUser(s, "powerAdm");
    const flavorId = await makeFlavor(s);
    await makeInstanceRow(s, {
      ownerId: adm.id,
      groupId: null,
      hostId: await makeHost(s),
      flavorId,
      imageId: await makeImageRow(s),
      state: "STOPPED",
    });
    const err = await callerFor(s, adm)
      .flavors.delete({ id: flavorId })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe("CONFLICT");
    expect((err as TRPCError).message).toMatch(/in use by 1 instance/);
    expect((await callerFor(s, adm).flavors.list()).some((f) => f.id === flavorId)).toBe(true);
  });

  it("an unused flavor is deleted; a duplicate name is refused with a field error", async () => {
    const adm = await makeUser(s, "powerAdm");
    const f = await callerFor(s, adm).flavors.create({
      name: `f-${Date.now()}`,
      vcpus: 1,
      memoryMiB: 128,
      diskGiB: 1,
    });
    const dup = await callerFor(s, adm)
      .flavors.create({ name: f.name, vcpus: 2, memoryMiB: 128, diskGiB: 1 })
      .catch((e: TRPCError) => e);
    expect((dup as TRPCError).code).toBe("CONFLICT");
    await callerFor(s, adm).flavors.delete({ id: f.id });
    expect((await callerFor(s, adm).flavors.list()).some((x) => x.id === f.id)).toBe(false);
  });
});
