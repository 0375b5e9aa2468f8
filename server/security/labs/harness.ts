// Shared by the labs attack tests: run an attack and say whether every step went through.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { instances } from "@/db/schema";
import type { TestServices } from "@/server/testing/fixtures";
import { makeProfileMachine } from "@/server/testing/lab-fixtures";

/** Runs an attack; true when it went through (the hole), false when the portal refused it. */
export async function succeeds(attack: () => Promise<unknown>): Promise<boolean> {
  try {
    await attack();
    return true;
  } catch (err) {
    if (err instanceof TRPCError) return false;
    throw err;
  }
}

/** A desktop row of a pool (makeProfileMachine plus the pool it belongs to). */
export async function makePoolDesktop(
  s: TestServices,
  o: Parameters<typeof makeProfileMachine>[1] & { poolId: number },
): Promise<string> {
  const { poolId, ...rest } = o;
  const id = await makeProfileMachine(s, { ...rest, kind: "desktop" });
  await s.db.update(instances).set({ poolId }).where(eq(instances.id, id));
  return id;
}
