// A fake QEMU QMP endpoint on a unix socket, for tests of QMP users that need no real QEMU.
import { createServer, type Server, type Socket } from "node:net";

const GREETING = {
  QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "test" }, capabilities: ["oob"] },
};

export type FakeQmpBehaviour = (
  message: { execute: string; id?: string; arguments?: unknown },
  socket: Socket,
) => void;

/** A fake QEMU QMP endpoint: greets (unless told not to), then lets each test decide the answers. */
export async function startFakeQmp(
  path: string,
  behaviour: FakeQmpBehaviour,
  opts: { greet?: boolean; splitGreeting?: boolean } = {},
): Promise<Server> {
  const server = createServer((socket) => {
    const greeting = `${JSON.stringify(GREETING)}\r\n`;
    if (opts.greet !== false) {
      if (opts.splitGreeting) {
        socket.write(greeting.slice(0, 10));
        setTimeout(() => socket.write(greeting.slice(10)), 20);
      } else socket.write(greeting);
    }
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
        if (message.execute === "qmp_capabilities")
          socket.write(`${JSON.stringify({ return: {}, id: message.id })}\r\n`);
        else behaviour(message, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

export const reply = (socket: Socket, value: unknown) => socket.write(`${JSON.stringify(value)}\r\n`);
