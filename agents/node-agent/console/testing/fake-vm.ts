import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { ConsoleKind } from "../../../protocol/console-grant";
import type { ConsoleEndpoint } from "../../drivers/hypervisor-driver";

/**
 * Stands in for a VM's console sockets in unit tests: the vnc socket greets like an RFB server, and
 * both sockets echo what they receive. `behave` lets a test take over a connection. The sockets live
 * in `dir`; `endpoints` is what a driver would answer for them.
 */
export async function startFakeVm(
  dir: string,
  id: string,
  behave?: (kind: ConsoleKind, socket: Socket) => void,
): Promise<{
  sockets: Socket[];
  endpoints: Record<ConsoleKind, ConsoleEndpoint>;
  close(): Promise<void>;
}> {
  const endpoints = {
    vnc: { path: join(dir, `${id}-vnc.sock`) },
    serial: { path: join(dir, `${id}-serial.sock`) },
  };
  const sockets: Socket[] = [];
  const listen = (kind: ConsoleKind, path: string) =>
    new Promise<Server>((resolve) => {
      const server = createServer((socket) => {
        sockets.push(socket);
        socket.on("error", () => undefined);
        if (behave) return behave(kind, socket);
        if (kind === "vnc") socket.write("RFB 003.008\n");
        socket.pipe(socket);
      });
      server.listen(path, () => resolve(server));
    });
  const servers = [await listen("vnc", endpoints.vnc.path), await listen("serial", endpoints.serial.path)];
  return {
    sockets,
    endpoints,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
