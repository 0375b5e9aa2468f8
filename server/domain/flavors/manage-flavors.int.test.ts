import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/server/domain/errors";
import {
  callerFor,
  contextFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { createFlavor, updateFlavor } from "./manage-flavors";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

describe("flavors", () => {
  it("a flavor in use cannot be deleted, and the error says by how many instances", async () => {
    // Public flavors are superAdm's (a powerAdm manages their groups' own: classes.int.test.ts).
    const adm = await makeUser(s, "superAdm");
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
    // Public flavors are superAdm's (a powerAdm manages their groups' own: classes.int.test.ts).
    const adm = await makeUser(s, "superAdm");
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

  it("sizes beyond the flavor bounds are refused by the form's schema and by the domain, with a clear error", async () => {
    // Public flavors are superAdm's (a powerAdm manages their groups' own: classes.int.test.ts).
    const adm = await makeUser(s, "superAdm");
    const name = `big-${Date.now()}`;
    // Through tRPC: the shared schema names the field and its bound.
    const viaApi = await callerFor(s, adm)
      .flavors.create({ name, vcpus: 2, memoryMiB: 1024, diskGiB: 16 * 1024 + 1 })
      .catch((e: TRPCError) => e);
    expect((viaApi as TRPCError).code).toBe("BAD_REQUEST");
    expect((viaApi as TRPCError).message).toContain("At most 16384 GiB (16 TiB).");
    const ram = await callerFor(s, adm)
      .flavors.create({ name, vcpus: 2, memoryMiB: 512 * 1024, diskGiB: 10 })
      .catch((e: TRPCError) => e);
    expect((ram as TRPCError).message).toContain("At most 262144 MiB (256 GiB).");
    // The domain on its own (scripts, other features): the same bounds, as a DomainError with field errors.
    const ctx = contextFor(s, adm);
    const direct = await createFlavor(ctx, { name, vcpus: 1000, memoryMiB: 1024, diskGiB: 10 }).catch(
      (e: unknown) => e,
    );
    expect(direct).toBeInstanceOf(DomainError);
    expect((direct as DomainError).kind).toBe("INVALID");
    expect((direct as DomainError).message).toBe(
      "A flavor may have 64 vCPUs, 262144 MiB of RAM and 16384 GiB of disk at most, and at least 1 vCPU, 64 MiB and 1 GiB.",
    );
    expect(Object.keys((direct as DomainError).fieldErrors ?? {})).toEqual(["vcpus"]);
    const f = await createFlavor(ctx, { name, vcpus: 64, memoryMiB: 256 * 1024, diskGiB: 16 * 1024 });
    const grown = await updateFlavor(ctx, { id: f.id, diskGiB: 10240 * 1024 }).catch((e: unknown) => e);
    expect((grown as DomainError).kind).toBe("INVALID");
    expect((await callerFor(s, adm).flavors.list()).find((x) => x.id === f.id)?.diskGiB).toBe(16 * 1024);
  });
});
