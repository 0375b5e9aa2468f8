// Item 3: whoever writes a host's jobs cannot make its agent send the host's secret (or a VM's disk)
// anywhere but the portal it joined. Jobs carry no address; one that names one is not read.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentImagePath, capturePath, hostAuthHeader } from "@/agents/protocol";
import type { VmSpec } from "@/agents/node-agent/drivers/hypervisor-driver";
import { ImageCache } from "@/agents/node-agent/image-cache";
import { handleJob } from "@/agents/node-agent/jobs/handle-job";
import { createFakeJobContext } from "@/agents/node-agent/jobs/testing/fake-job-context";

const image = randomBytes(64 * 1024);
const sha256 = createHash("sha256").update(image).digest("hex");
const imageId = randomUUID();
let dir: string;
let portal: Server;
let elsewhere: Server;
let portalUrl: string;
let elsewhereUrl: string;
const heard: { where: "portal" | "elsewhere"; path: string; authorization?: string }[] = [];

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};
const note = (where: "portal" | "elsewhere", req: IncomingMessage) =>
  heard.push({ where, path: req.url ?? "", authorization: req.headers.authorization });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rogue-elsewhere-"));
  portal = createServer((req, res) => {
    note("portal", req);
    if (req.url === agentImagePath(imageId)) return void res.writeHead(200).end(image);
    if (req.method === "PUT") return void req.resume().on("end", () => res.writeHead(201).end("{}"));
    res.writeHead(404).end();
  });
  elsewhere = createServer((req, res) => {
    note("elsewhere", req);
    res.writeHead(200).end(image);
  });
  portalUrl = await listen(portal);
  elsewhereUrl = await listen(elsewhere);
});
afterAll(async () => {
  portal.close();
  elsewhere.close();
  await rm(dir, { recursive: true, force: true });
});

describe("rogue-host: the host's secret goes nowhere but its portal", () => {
  it("an image.sync job naming another address fetches from the portal the host joined", async () => {
    const { ctx, events } = createFakeJobContext();
    ctx.images = new ImageCache(join(dir, "images"), { hostId: "host-1", hostSecret: "s3cret", portalUrl });
    await handleJob(ctx, "image.sync", {
      image: { id: imageId, sha256, format: "raw", sizeBytes: image.length, url: `${elsewhereUrl}/steal` },
      taskId: randomUUID(),
    });
    expect(heard.filter((h) => h.where === "elsewhere")).toEqual([]);
    expect(heard).toEqual([
      { where: "portal", path: agentImagePath(imageId), authorization: hostAuthHeader("host-1", "s3cret") },
    ]);
    expect(events.at(-1)).toMatchObject({ type: "image.cache", state: "cached", sha256 });
  });

  it("a capture job naming another upload address sends the disk to the portal's capture path", async () => {
    const vmId = randomUUID();
    const taskId = randomUUID();
    const { ctx, driver } = createFakeJobContext({ specs: new Map([[vmId, {} as VmSpec]]) });
    Object.assign(driver, {
      async exportDisk(_id: string, target: string) {
        await writeFile(target, "the student's disk");
        return { sizeBytes: 18 };
      },
    });
    Object.assign(ctx, { stateDir: dir, portalUrl, authHeader: hostAuthHeader("host-1", "s3cret") });
    heard.length = 0;
    await handleJob(ctx, "instance.capture", {
      instanceId: vmId,
      taskId,
      uploadUrl: `${elsewhereUrl}/steal`,
    });
    expect(heard).toEqual([
      { where: "portal", path: capturePath(taskId), authorization: hostAuthHeader("host-1", "s3cret") },
    ]);
  });
});
