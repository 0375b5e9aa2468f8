import { describe, expect, it } from "vitest";
import {
  detectFormat,
  parseVmdkDescriptor,
  qcow2Refusal,
  readQcow2Header,
  vdiRefusal,
  vmdkRefusal,
} from "./detect-format";
import { chooseOvaDisk, parseTarHeader, type TarEntry } from "./ova-archive";
import { parseConvertProgress } from "./convert-image";

function qcow2Head(
  o: { version?: number; backing?: bigint; incompat?: bigint; crypt?: number } = {},
): Buffer {
  const b = Buffer.alloc(65536);
  b.write("QFI\xfb", 0, "latin1");
  b.writeUInt32BE(o.version ?? 3, 4);
  b.writeBigUInt64BE(o.backing ?? 0n, 8);
  b.writeBigUInt64BE(o.incompat ?? 0n, 72);
  b.writeUInt32BE(o.crypt ?? 0, 32);
  return b;
}

describe("detectFormat", () => {
  it("knows each format by its own bytes", () => {
    expect(detectFormat(qcow2Head(), 65536)).toBe("qcow2");
    expect(detectFormat(Buffer.concat([Buffer.from("KDMV"), Buffer.alloc(600)]), 1 << 20)).toBe("vmdk");
    expect(detectFormat(Buffer.from("# Disk DescriptorFile\nversion=1\n"), 100)).toBe("vmdk");
    const vdi = Buffer.alloc(512);
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    expect(detectFormat(vdi, 1 << 20)).toBe("vdi");
    const iso = Buffer.alloc(65536);
    iso.write("CD001", 0x8001, "latin1");
    expect(detectFormat(iso, 65536)).toBe("iso");
    const tar = Buffer.alloc(1024, 0);
    tar.write("x.ovf", 0);
    tar.write("ustar", 257, "latin1");
    expect(detectFormat(tar, 10240)).toBe("ova");
  });

  it("calls whole sectors of binary data raw, and refuses text or odd sizes", () => {
    const bin = Buffer.alloc(4096);
    bin[510] = 0x55;
    bin[511] = 0xaa;
    expect(detectFormat(bin, 1 << 20)).toBe("raw");
    expect(detectFormat(bin, 1000)).toBeNull();
    expect(detectFormat(Buffer.from("hello world\n".repeat(100)), 1024)).toBeNull();
    expect(detectFormat(Buffer.alloc(0), 0)).toBeNull();
  });
});

describe("qcow2 header rules", () => {
  const refusal = (o: Parameters<typeof qcow2Head>[0]) => qcow2Refusal(readQcow2Header(qcow2Head(o))!);
  it("accepts plain v2 and v3, with the dirty bit or zstd or extended L2", () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ version: 2 })).toBeNull();
    expect(refusal({ incompat: 0b11001n })).toBeNull();
  });
  it("refuses backing files, data files, corrupt marks, unknown features and versions", () => {
    expect(refusal({ backing: 512n })).toMatch(/backing file/);
    expect(refusal({ crypt: 1 })).toMatch(/encrypted/);
    expect(refusal({ crypt: 2 })).toMatch(/encrypted/);
    expect(refusal({ incompat: 0b100n })).toMatch(/external data file/);
    expect(refusal({ incompat: 0b10n })).toMatch(/corrupt/);
    expect(refusal({ incompat: 1n << 5n })).toMatch(/unknown incompatible features \(0x20\)/);
    expect(refusal({ version: 4 })).toMatch(/version 4/);
  });
});

describe("VMDK and VDI rules", () => {
  const desc = (type: string, extents: string[]) =>
    parseVmdkDescriptor(`# Disk DescriptorFile\ncreateType="${type}"\n${extents.join("\n")}\n`);
  it("accepts monolithicSparse and streamOptimized with their one sparse extent", () => {
    expect(vmdkRefusal(desc("monolithicSparse", ['RW 8192 SPARSE "a.vmdk"']), false)).toBeNull();
    expect(vmdkRefusal(desc("streamOptimized", ['RW 8192 SPARSE "a.vmdk"']), false)).toBeNull();
  });
  it("refuses other types, several extents and stand-alone descriptors", () => {
    expect(vmdkRefusal(desc("monolithicFlat", ['RW 8192 FLAT "a-flat.vmdk" 0']), false)).toMatch(
      /type monolithicFlat/,
    );
    expect(
      vmdkRefusal(
        desc("monolithicSparse", ['RW 8192 SPARSE "a.vmdk"', 'RW 8192 FLAT "/etc/shadow" 0']),
        false,
      ),
    ).toMatch(/names other files/);
    expect(vmdkRefusal(desc("monolithicSparse", ['RW 8192 SPARSE "a.vmdk"']), true)).toMatch(
      /descriptor that names other files/,
    );
  });
  it("refuses differencing and undo VDIs", () => {
    const vdi = Buffer.alloc(512);
    vdi.writeUInt32LE(1, 0x4c);
    expect(vdiRefusal(vdi)).toBeNull();
    vdi.writeUInt32LE(4, 0x4c);
    expect(vdiRefusal(vdi)).toMatch(/differencing/);
  });
});

describe("OVA rules", () => {
  const e = (name: string, type = "0", size = 100): TarEntry => ({ name, type, size, dataOffset: 512 });
  it("picks the one disk next to an .ovf", () => {
    expect(chooseOvaDisk([e("a.ovf"), e("a.mf"), e("disk1.vmdk")], 1000)).toMatchObject({
      name: "disk1.vmdk",
    });
  });
  it("refuses traversal, links, no descriptor, several disks and oversized disks", () => {
    expect(chooseOvaDisk([e("a.ovf"), e("../x.vmdk")], 1000)).toMatch(/unsafe path/);
    expect(chooseOvaDisk([e("a.ovf"), e("/x.vmdk")], 1000)).toMatch(/unsafe path/);
    expect(chooseOvaDisk([e("a.ovf"), e("x.vmdk", "2")], 1000)).toMatch(/link or special/);
    expect(chooseOvaDisk([e("x.vmdk")], 1000)).toMatch(/no .ovf/);
    expect(chooseOvaDisk([e("a.ovf"), e("1.vmdk"), e("2.vmdk")], 1000)).toMatch(/2 disks/);
    expect(chooseOvaDisk([e("a.ovf"), e("1.vmdk", "0", 5000)], 1000)).toMatch(/size cap/);
  });
  it("reads ustar names with their prefix", () => {
    const b = Buffer.alloc(512);
    b.write("disk.vmdk", 0);
    b.write("00000001000\0", 124);
    b.write("0", 156);
    b.write("ustar", 257);
    b.write("sub", 345);
    expect(parseTarHeader(b, 0)).toEqual({ name: "sub/disk.vmdk", type: "0", size: 512, dataOffset: 512 });
    expect(parseTarHeader(Buffer.alloc(512), 0)).toBeNull();
  });
});

describe("parseConvertProgress", () => {
  it("takes the last figure qemu-img printed", () => {
    expect(parseConvertProgress("    (0.00/100%)\r    (42.50/100%)\r")).toBeCloseTo(0.425);
    expect(parseConvertProgress("nothing")).toBeNull();
  });
});
