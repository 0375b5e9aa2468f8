import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";

export interface BridgeOptions {
  /** Pause reading the VM's socket while this much is waiting to go to the browser... */
  highWaterMark?: number;
  /** ...and read again once it is down to this. */
  lowWaterMark?: number;
  /** Ping the peer this often; no pong by the next ping ends the session (a dead proxy must not hold the serial line). */
  pingMs?: number;
}

export interface BridgeStats {
  bytesToClient: number;
  bytesFromClient: number;
  /** Who hung up first, for the disconnect log. */
  endedBy: "client" | "vm" | "server" | "timeout";
}

export interface Bridge {
  /** Resolves when both sides are closed. */
  done: Promise<BridgeStats>;
  /** Closes both sides (WebSocket close handshake with this code and reason). */
  end(code: number, reason: string): void;
}

/**
 * Pipes bytes both ways between a WebSocket and the VM's unix socket (VNC or serial): socket data goes
 * out as binary frames, every message from the client goes to the socket as-is. Each side is paused
 * while the other cannot keep up, so a slow browser never makes the agent buffer a whole framebuffer
 * stream in memory. When either side closes, both are closed.
 */
export function bridgeSocket(ws: WebSocket, vm: Socket, opts: BridgeOptions = {}): Bridge {
  const high = opts.highWaterMark ?? 4 * 1024 * 1024;
  const low = opts.lowWaterMark ?? 1024 * 1024;
  const stats: BridgeStats = { bytesToClient: 0, bytesFromClient: 0, endedBy: "client" };
  let ended = false;
  let drainPoll: NodeJS.Timeout | undefined;
  let alive = true;

  const finish = (endedBy: BridgeStats["endedBy"], code: number, reason: string) => {
    if (ended) return;
    ended = true;
    stats.endedBy = endedBy;
    clearInterval(drainPoll);
    clearInterval(pinger);
    vm.destroy();
    if (endedBy === "timeout") return ws.terminate();
    if (ws.readyState !== ws.OPEN) return ws.readyState === ws.CLOSED ? undefined : ws.terminate();
    ws.close(code, reason);
    // A peer that never answers the close frame must not hold the session (and a serial slot) for
    // the 30 s `ws` would wait.
    setTimeout(() => ws.terminate(), 2_000).unref();
  };

  vm.on("data", (chunk: Buffer) => {
    stats.bytesToClient += chunk.length;
    ws.send(chunk, { binary: true });
    // `ws` has no 'drain' event; poll its buffer while paused (only then, so idle sessions cost nothing).
    if (ws.bufferedAmount > high && !drainPoll) {
      vm.pause();
      drainPoll = setInterval(() => {
        if (ws.bufferedAmount > low) return;
        clearInterval(drainPoll);
        drainPoll = undefined;
        vm.resume();
      }, 20);
    }
  });
  ws.on("message", (data: RawData) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    stats.bytesFromClient += buf.length;
    if (!vm.write(buf) && !ws.isPaused) {
      ws.pause();
      vm.once("drain", () => ws.resume());
    }
  });

  const pinger = setInterval(() => {
    if (!alive) return finish("timeout", 1001, "the console connection stopped answering");
    alive = false;
    ws.ping();
  }, opts.pingMs ?? 30_000);
  ws.on("pong", () => (alive = true));

  const done = new Promise<BridgeStats>((resolve) => {
    let open = 2;
    const closed = () => --open === 0 && resolve(stats);
    vm.once("close", closed);
    ws.once("close", closed);
  });
  vm.on("error", () => undefined); // 'close' follows and ends the session
  vm.once("close", () => finish("vm", 1000, "the VM's console closed"));
  ws.on("error", () => undefined);
  ws.once("close", () => finish("client", 1000, ""));

  return { done, end: (code, reason) => finish("server", code, reason) };
}
