import { mkdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { resolveVmPaths } from "../../drivers/qemu/vm-paths";

/**
 * Stands in for a QEMU's console sockets in unit tests: vnc.sock greets like QEMU's VNC server, and
 * both sockets echo what they receive. `behave` lets a test take over a connection.
 */
export async function startFakeVm(
  stateDir: string,
  id: string,
  behave?: (kind: "vnc" | "serial", socket: Socket) => void,
): Promise<{
  sockets: Socket[];
  close(): Promise<void>;
}> {
  const paths = resolveVmPaths(stateDir, id);
  await mkdir(paths.runDir, { recursive: true });
  const sockets: Socket[] = [];
  const listen = (kind: "vnc" | "serial", path: string) =>
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
  const servers = [await listen("vnc", paths.vncSocket), await listen("serial", paths.serialSocket)];
  return {
    sockets,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
