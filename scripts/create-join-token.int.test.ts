// `scripts/create-join-token.ts --cluster <name>` (the all-in-one install's and an operator's way to
// make a join token): the token it prints puts the host in that cluster; an unknown name prints nothing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostJoinTokens } from "@/db/schema";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { makeCluster, openTestServices, uniqueName, type TestServices } from "@/server/testing/fixtures";

const run = promisify(execFile);
let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s?.close());

// The test run's environment (its own database) wins over .env (server/env.ts).
const script = (...args: string[]) =>
  run("npx", ["--no-install", "tsx", "scripts/create-join-token.ts", ...args], { env: process.env });

// Each run starts tsx (several seconds on a busy 2-core machine).
describe("create-join-token.ts", { timeout: 120_000 }, () => {
  it("--cluster names the cluster the token puts the new host in; without it, none", async () => {
    const name = uniqueName("room");
    const clusterId = await makeCluster(s, "local", name);
    const { stdout } = await script("--cluster", name);
    const [row] = await s.db
      .select()
      .from(hostJoinTokens)
      .where(eq(hostJoinTokens.tokenHash, sha256Hex(stdout)));
    expect(row).toMatchObject({ clusterId, usedAt: null, hostId: null });

    const plain = await script();
    const [other] = await s.db
      .select()
      .from(hostJoinTokens)
      .where(eq(hostJoinTokens.tokenHash, sha256Hex(plain.stdout)));
    expect(other!.clusterId).toBeNull();
  });

  it("an unknown cluster name fails with a message and prints no token", async () => {
    const err = (await script("--cluster", uniqueName("nowhere")).catch((e: unknown) => e)) as {
      code: number;
      stdout: string;
      stderr: string;
    };
    expect(err.code).toBe(1);
    expect(err.stdout).toBe("");
    expect(err.stderr).toMatch(/No cluster named "nowhere-/);
  });
});
