// Hostile images, built here with qemu-img and a few hand-made header bytes, sent through the real tus
// route: each is refused with its own reason and leaves nothing on disk. Then every allowed format is
// accepted and stored as qcow2 (an ISO as is), which qemu-img confirms.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { images, type ImageSourceFormat } from "@/db/schema";
import { env } from "@/server/env";
import { getServices } from "@/server/services";
import { makeUser, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { serveRoutes } from "@/server/testing/serve-route";
import { createTusClient, sessionCookieFor, waitForTask } from "@/server/testing/tus-client";
import { importImage, incomingDir } from "./import-image";

const work = await mkdtemp(join(tmpdir(), "img-test-"));
const store = join(work, "store");
const CAP = 8 * 1024 * 1024;
// Read by the tus server, built on first use, from the process's services (server/services.ts).
Object.assign(getServices().settings, { imageStoreDir: store, imageMaxBytes: CAP });
const creation = await import("@/app/api/v1/uploads/route");
const one = await import("@/app/api/v1/uploads/[id]/route");

let s: TestServices;
let server: { url: string; close(): Promise<void> };
let tus: ReturnType<typeof createTusClient>;

const qemuImg = (...args: string[]) => execFileSync("qemu-img", args, { stdio: "pipe" }).toString();
const info = (path: string, fmt: string) =>
  JSON.parse(qemuImg("info", "-f", fmt, "--output=json", path)) as Record<string, unknown>;
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const at = (name: string) => join(work, name);

/** Every file under the store, relative (directories that are empty do not show). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(relative(store, p));
  }
  return out;
}

/** A tar header block by hand (for archives `tar` itself would refuse to make). */
function tarBlock(name: string, size: number, type = "0"): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, "utf8");
  b.write("0000644\0", 100);
  b.write("0000000\0", 108);
  b.write("0000000\0", 116);
  b.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  b.write("00000000000\0", 136);
  b.write(type, 156);
  b.write("ustar\0", 257);
  b.write("00", 263);
  b.fill(" ", 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return b;
}
const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** Sends a file through tus and waits for the import's verdict. */
async function upload(path: string, format: ImageSourceFormat) {
  const size = statSync(path).size;
  const created = await tus.create(size, { name: `t-${format}`, format, visibility: "private" });
  if (created.status !== 201)
    return {
      refusedAt: "creation" as const,
      status: created.status,
      message: JSON.parse(created.body).message as string,
    };
  const sent = await tus.patch(String(created.headers.location), path, 0);
  expect(sent.status).toBe(204);
  const task = await waitForTask(s, String(sent.headers["educloud-task-id"]));
  return {
    refusedAt: task.state === "failed" ? ("import" as const) : null,
    status: 204,
    message: task.error ?? "",
    task,
  };
}

beforeAll(async () => {
  s = openTestServices();
  server = await serveRoutes([
    { pattern: "/api/v1/uploads", handler: creation.POST as never },
    {
      pattern: "/api/v1/uploads/:id",
      handler: (async (req: Request, ctx: never) =>
        req.method === "HEAD" ? one.HEAD(req, ctx) : one.PATCH(req, ctx)) as never,
    },
  ]);
  tus = createTusClient(
    server.url,
    await sessionCookieFor(s, (await makeUser(s, "superAdm")).id, env.NEXTAUTH_SECRET),
  );
});
afterAll(async () => {
  await server?.close();
  await s?.close();
  await rm(work, { recursive: true, force: true });
});

describe("hostile images", () => {
  it("refuses each with its reason and leaves nothing behind", async () => {
    qemuImg("create", "-f", "qcow2", at("base.qcow2"), "16M");
    qemuImg("create", "-f", "qcow2", "-b", at("base.qcow2"), "-F", "qcow2", at("backing.qcow2"));
    qemuImg("create", "-f", "qcow2", "-o", `data_file=${at("data.raw")}`, at("datafile.qcow2"), "16M");
    // Hand-made: an incompatible feature bit QEMU does not know (bit 20, header offset 72).
    const unknownFeature = readFileSync(at("base.qcow2"));
    unknownFeature.writeBigUInt64BE(1n << 20n, 72);
    writeFileSync(at("unknown-feature.qcow2"), unknownFeature);
    // A VMDK descriptor naming a flat extent file next to it (monolithicFlat).
    qemuImg("create", "-f", "vmdk", "-o", "subformat=monolithicFlat", at("flat.vmdk"), "4M");
    // A sparse VMDK whose embedded descriptor claims another type (same length, edited in place).
    qemuImg("create", "-f", "vmdk", "-o", "subformat=monolithicSparse", at("sparse.vmdk"), "4M");
    const sparse = readFileSync(at("sparse.vmdk"));
    const i = sparse.indexOf('createType="monolithicSparse"');
    expect(i).toBeGreaterThan(0);
    sparse.write('createType="vmfsSparse"      ', i, "latin1");
    writeFileSync(at("vmfs.vmdk"), sparse);
    // A qcow2 cut in half.
    writeFileSync(at("raw.data"), randomBytes(4 * 1024 * 1024));
    qemuImg("convert", "-f", "raw", "-O", "qcow2", at("raw.data"), at("full.qcow2"));
    writeFileSync(
      at("truncated.qcow2"),
      readFileSync(at("full.qcow2")).subarray(0, Math.floor(statSync(at("full.qcow2")).size / 2)),
    );
    writeFileSync(at("notes.txt"), "These are my notes, not a disk.\n".repeat(64));
    writeFileSync(at("big.raw"), Buffer.alloc(CAP + 512, 1));
    // Small when compressed, past the cap once converted.
    writeFileSync(at("ones.raw"), Buffer.alloc(3 * CAP, 1));
    qemuImg("convert", "-c", "-f", "raw", "-O", "qcow2", at("ones.raw"), at("bomb.qcow2"));
    expect(statSync(at("bomb.qcow2")).size).toBeLessThan(CAP);
    // An OVA whose disk entry climbs out of the extraction directory.
    const disk = readFileSync(at("base.qcow2"));
    const ovf = Buffer.from("<Envelope/>");
    writeFileSync(
      at("traversal.ova"),
      Buffer.concat([
        tarBlock("x.ovf", ovf.length),
        ovf,
        pad(ovf.length),
        tarBlock("../../etc/x.qcow2", disk.length),
        disk,
        pad(disk.length),
        Buffer.alloc(1024),
      ]),
    );
    writeFileSync(
      at("link.ova"),
      Buffer.concat([
        tarBlock("x.ovf", ovf.length),
        ovf,
        pad(ovf.length),
        tarBlock("disk.vmdk", 0, "2"),
        Buffer.alloc(1024),
      ]),
    );

    // Encrypted (crypt_method 2 = LUKS, header offset 32): unusable without its key, which the portal never
    // gets. Hand-made from a plain image: qemu-img's own LUKS creation times its key derivation against the
    // CPU and fails on a busy machine ("Unable to get accurate CPU usage").
    const encrypted = readFileSync(at("base.qcow2"));
    encrypted.writeUInt32BE(2, 32);
    writeFileSync(at("encrypted.qcow2"), encrypted);
    // A backing file given as a protocol (an HTTP fetch from wherever the portal can reach).
    qemuImg(
      "create",
      "-f",
      "qcow2",
      "-u",
      "-b",
      'json:{"driver":"http","url":"http://127.0.0.1:9/x"}',
      "-F",
      "raw",
      at("http-backing.qcow2"),
      "16M",
    );
    // A few hundred KiB that announce a 100 TiB disk.
    qemuImg("create", "-f", "qcow2", at("huge.qcow2"), "100T");
    expect(statSync(at("huge.qcow2")).size).toBeLessThan(CAP);
    const cases: [string, ImageSourceFormat, RegExp][] = [
      ["huge.qcow2", "qcow2", /announces a disk of 102400 GiB; at most 16384 GiB/],
      ["backing.qcow2", "qcow2", /backing file is refused/],
      ["http-backing.qcow2", "qcow2", /backing file is refused/],
      ["encrypted.qcow2", "qcow2", /encrypted qcow2 image is refused/],
      ["datafile.qcow2", "qcow2", /external data file is refused/],
      ["unknown-feature.qcow2", "qcow2", /unknown incompatible features \(0x100000\)/],
      ["base.qcow2", "raw", /The file is qcow2, not raw as declared/],
      ["flat.vmdk", "vmdk", /VMDK descriptor that names other files/],
      ["vmfs.vmdk", "vmdk", /VMDK of type vmfsSparse is refused/],
      ["truncated.qcow2", "qcow2", /damaged or cut short/],
      ["notes.txt", "raw", /no disk image/],
      ["big.raw", "raw", /larger than the size cap/],
      ["bomb.qcow2", "qcow2", /grew larger than the size cap/],
      ["traversal.ova", "ova", /unsafe path/],
      ["link.ova", "ova", /link or special file/],
    ];
    for (const [file, format, reason] of cases) {
      const r = await upload(at(file), format);
      expect(r.refusedAt, `${file} should be refused`).not.toBeNull();
      expect(r.message, file).toMatch(reason);
      expect(await filesUnder(store), `${file} left files behind`).toEqual([]);
    }
    expect((await upload(at("big.raw"), "raw")).status).toBe(413); // refused from Upload-Length, before a byte
    expect(await s.db.select().from(images).where(eq(images.name, "t-qcow2"))).toEqual([]);
  }, 120_000);
});

describe("allowed formats", () => {
  const deps = () => ({ db: s.db, storeDir: store, maxBytes: 256 * 1024 * 1024 });
  async function importFile(path: string, format: ImageSourceFormat) {
    await mkdir(incomingDir(store), { recursive: true });
    const incomingPath = join(incomingDir(store), `${format}-${randomBytes(4).toString("hex")}`);
    writeFileSync(incomingPath, readFileSync(path));
    return importImage(deps(), {
      incomingPath,
      name: `ok-${format}`,
      format,
      visibility: "public",
      ownerId: null,
    });
  }

  it("stores qcow2, raw, streamOptimized VMDK, VDI and OVA as qcow2, and an ISO as is", async () => {
    writeFileSync(
      at("src.raw"),
      Buffer.concat([randomBytes(2 * 1024 * 1024), Buffer.alloc(2 * 1024 * 1024)]),
    );
    qemuImg("convert", "-f", "raw", "-O", "qcow2", at("src.raw"), at("src.qcow2"));
    qemuImg(
      "convert",
      "-f",
      "raw",
      "-O",
      "vmdk",
      "-o",
      "subformat=streamOptimized",
      at("src.raw"),
      at("src.vmdk"),
    );
    qemuImg("convert", "-f", "raw", "-O", "vdi", at("src.raw"), at("src.vdi"));
    await mkdir(at("ova"), { recursive: true });
    writeFileSync(
      join(at("ova"), "appliance.ovf"),
      '<?xml version="1.0"?><Envelope><References><File ovf:href="disk1.vmdk"/></References></Envelope>\n',
    );
    writeFileSync(join(at("ova"), "disk1.vmdk"), readFileSync(at("src.vmdk")));
    execFileSync("tar", ["-cf", at("src.ova"), "-C", at("ova"), "appliance.ovf", "disk1.vmdk"]);
    // An ISO 9660 volume by hand: 16 empty sectors, a primary volume descriptor, a terminator.
    const iso = Buffer.alloc(64 * 2048);
    iso[0x8000] = 1;
    iso.write("CD001", 0x8001, "latin1");
    iso[0x8006] = 1;
    iso[0x8800] = 255;
    iso.write("CD001", 0x8801, "latin1");
    iso[0x8806] = 1;
    writeFileSync(at("src.iso"), iso);

    const want = sha256(at("src.raw"));
    for (const [file, format] of [
      ["src.qcow2", "qcow2"],
      ["src.raw", "raw"],
      ["src.vmdk", "vmdk"],
      ["src.vdi", "vdi"],
      ["src.ova", "ova"],
    ] as const) {
      const row = await importFile(at(file), format);
      const stored = join(store, row.sha256);
      expect(row.format, file).toBe("qcow2");
      expect(row.sourceFormat).toBe(format);
      expect(row.sourceSha256).toBe(sha256(at(file)));
      expect(row.sha256).toBe(sha256(stored));
      expect(info(stored, "qcow2")).toMatchObject({ format: "qcow2", "virtual-size": 4 * 1024 * 1024 });
      expect(info(stored, "qcow2")["backing-filename"]).toBeUndefined();
      qemuImg("check", "-f", "qcow2", stored); // throws on a non-zero exit
      // The guest would see the same bytes that were uploaded.
      qemuImg("convert", "-f", "qcow2", "-O", "raw", stored, at("back.raw"));
      expect(sha256(at("back.raw")), file).toBe(want);
    }
    const isoRow = await importFile(at("src.iso"), "iso");
    expect(isoRow).toMatchObject({
      format: "raw",
      sourceFormat: "iso",
      sha256: sha256(at("src.iso")),
      sizeBytes: iso.length,
    });
    expect(readFileSync(join(store, isoRow.sha256)).equals(iso)).toBe(true);
    expect(await readdir(incomingDir(store))).toEqual([]);
  }, 120_000);

  it("adds versions to a family under its name", async () => {
    qemuImg("create", "-f", "qcow2", at("v.qcow2"), "8M");
    const first = await importFile(at("v.qcow2"), "qcow2");
    await mkdir(incomingDir(store), { recursive: true });
    const incomingPath = join(incomingDir(store), "v2");
    writeFileSync(incomingPath, readFileSync(at("v.qcow2")));
    const second = await importImage(deps(), {
      incomingPath,
      name: "ignored",
      format: "qcow2",
      visibility: "public",
      ownerId: null,
      newVersionOf: first.id,
    });
    expect(second).toMatchObject({ name: first.name, familyId: first.id, version: 2 });
  });
});
