// A minimal RFB (VNC) client for measuring: handshake without authentication, raw encoding only, and
// framebuffer update requests timed end to end. It runs over any byte stream: a unix socket (direct to
// QEMU) or a WebSocket (through the portal's proxy, as noVNC does).
import { connect, type Socket } from "node:net";
import { WebSocket } from "ws";

/** Bytes in, bytes out, with an awaitable read of exactly n bytes. */
export class ByteStream {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;
  private closed: Error | null = null;
  received = 0;

  constructor(
    readonly send: (b: Buffer) => void,
    readonly close: () => void,
  ) {}

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
    this.received += b.length;
    this.waiter?.();
  }

  fail(err: Error): void {
    this.closed = err;
    this.waiter?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.length < n) {
      if (this.closed) throw this.closed;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = null;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length = all.length - n;
    return all.subarray(0, n);
  }
}

export function openUnixStream(path: string): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(path);
    const s = new ByteStream(
      (b) => sock.write(b),
      () => sock.destroy(),
    );
    sock.on("data", (d) => s.push(d));
    sock.on("close", () => s.fail(new Error("socket closed")));
    sock.once("connect", () => resolve(s));
    sock.once("error", reject);
  });
}

export function openWebSocketStream(url: string, origin: string): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ["binary"], { origin, perMessageDeflate: false });
    const s = new ByteStream(
      (b) => ws.send(b, { binary: true }),
      () => ws.close(),
    );
    ws.on("message", (d) => s.push(d as Buffer));
    ws.on("close", (code, reason) => s.fail(new Error(`websocket closed ${code} ${reason}`)));
    ws.once("open", () => resolve(s));
    ws.once("unexpected-response", (_q, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

export interface RfbSession {
  width: number;
  height: number;
  bytesPerPixel: number;
  stream: ByteStream;
}

/** RFB 3.8 with security type None, shared session, raw encoding. */
export async function handshake(stream: ByteStream): Promise<RfbSession> {
  const version = (await stream.read(12)).toString();
  if (!version.startsWith("RFB ")) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
  stream.send(Buffer.from("RFB 003.008\n"));
  const nTypes = (await stream.read(1))[0]!;
  const types = [...(await stream.read(nTypes))];
  if (!types.includes(1)) throw new Error(`the server wants authentication (types ${types})`);
  stream.send(Buffer.from([1]));
  if ((await stream.read(4)).readUInt32BE(0) !== 0) throw new Error("security handshake failed");
  stream.send(Buffer.from([1])); // ClientInit: shared
  const init = await stream.read(24);
  const width = init.readUInt16BE(0),
    height = init.readUInt16BE(2),
    bpp = init[4]!;
  await stream.read(init.readUInt32BE(20)); // the desktop's name
  const setEncodings = Buffer.alloc(8);
  setEncodings.writeUInt8(2, 0);
  setEncodings.writeUInt16BE(1, 2);
  setEncodings.writeInt32BE(0, 4); // raw only
  stream.send(setEncodings);
  return { width, height, bytesPerPixel: bpp / 8, stream };
}

/** One FramebufferUpdateRequest and its whole answer; returns the bytes the answer carried. */
export async function requestUpdate(
  s: RfbSession,
  region: { x: number; y: number; w: number; h: number },
  incremental = false,
): Promise<number> {
  const req = Buffer.alloc(10);
  req.writeUInt8(3, 0);
  req.writeUInt8(incremental ? 1 : 0, 1);
  req.writeUInt16BE(region.x, 2);
  req.writeUInt16BE(region.y, 4);
  req.writeUInt16BE(region.w, 6);
  req.writeUInt16BE(region.h, 8);
  s.stream.send(req);
  for (;;) {
    const type = (await s.stream.read(1))[0]!;
    if (type === 0) break; // FramebufferUpdate
    if (type === 2) continue; // Bell
    if (type === 3) {
      const h = await s.stream.read(7);
      await s.stream.read(h.readUInt32BE(3));
      continue;
    } // ServerCutText
    throw new Error(`unexpected server message ${type}`);
  }
  const head = await s.stream.read(3);
  let bytes = 4;
  for (let i = 0, n = head.readUInt16BE(1); i < n; i++) {
    const rect = await s.stream.read(12);
    const w = rect.readUInt16BE(4),
      h = rect.readUInt16BE(6),
      enc = rect.readInt32BE(8);
    bytes += 12;
    if (enc === 0) {
      const len = w * h * s.bytesPerPixel;
      await s.stream.read(len);
      bytes += len;
    } else if (enc === -223) {
      /* DesktopSize: no data */
    } else throw new Error(`unexpected encoding ${enc}`);
  }
  return bytes;
}
