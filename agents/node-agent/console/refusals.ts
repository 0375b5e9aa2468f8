import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Why the bridge turned a connection away. Answered as plain HTTP before the WebSocket handshake
 * completes, so nothing is ever proxied; the body is a sentence a person can read, and the
 * x-educloud-console-refusal header carries the code for the portal's proxy to map to its own text.
 */
export const REFUSALS = {
  "no-key": [503, "the agent does not know the portal's console key yet; try again in a few seconds"],
  "not-found": [404, "no such endpoint"],
  "bad-grant": [401, "the console grant is missing or invalid"],
  expired: [401, "the console grant has expired"],
  "wrong-host": [403, "the console grant is for another host"],
  replayed: [403, "the console grant has already been used"],
  "wrong-kind": [
    403,
    "the grant is not for this endpoint (a console grant opens a console, a thumbnail grant a thumbnail)",
  ],
  "no-instance": [404, "no such instance on this host"],
  "not-running": [404, "the instance is not running"],
  "serial-busy": [409, "someone else has the serial console open"],
  "vnc-busy": [409, "too many people are watching this instance's screen"],
  "too-many": [503, "too many console sessions on this host; try again later"],
  stopping: [503, "the host agent is stopping"],
} as const satisfies Record<string, readonly [number, string]>;
export type RefusalCode = keyof typeof REFUSALS;

const STATUS_TEXT: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  503: "Service Unavailable",
};

/** The same refusal as an ordinary HTTP answer (the thumbnail endpoint is not a WebSocket). */
export function refuseRequest(res: ServerResponse, code: RefusalCode): void {
  const [status, message] = REFUSALS[code];
  res
    .writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-educloud-console-refusal": code,
      connection: "close",
    })
    .end(`${message}\n`);
}

/** Writes the HTTP refusal and destroys the socket once it is flushed. */
export function refuseUpgrade(socket: Duplex, code: RefusalCode): void {
  if (socket.destroyed) return;
  const [status, message] = REFUSALS[code];
  const body = `${message}\n`;
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Refused"}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Educloud-Console-Refusal: ${code}\r\n\r\n${body}`,
  );
}
