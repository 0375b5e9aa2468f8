import { WebSocket } from "ws";
import { AGENT_CONSOLE_PATH } from "../../../protocol/index";

export type ConsoleAttempt =
  | { ok: true; ws: WebSocket; received: ReceivedBytes; closed: Promise<{ code: number; reason: string }> }
  | { ok: false; status: number; refusal: string | undefined; body: string };

/** Everything a test client received, with a way to wait for something in it. */
export class ReceivedBytes {
  chunks: Buffer[] = [];
  get text(): string {
    return Buffer.concat(this.chunks).toString("latin1");
  }
  get length(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  async waitFor(matches: (text: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!matches(this.text)) {
      if (Date.now() > deadline)
        throw new Error(`not received within ${timeoutMs} ms; got: ${JSON.stringify(this.text.slice(-500))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.text;
  }
}

/** Opens a console the way the portal's proxy does; a refused upgrade resolves with its HTTP answer. */
export function openConsole(
  baseUrl: string,
  grant: string,
  opts: { protocols?: string[]; path?: string } = {},
): Promise<ConsoleAttempt> {
  const url = `${baseUrl}${opts.path ?? AGENT_CONSOLE_PATH}?grant=${encodeURIComponent(grant)}`;
  const ws = new WebSocket(url, opts.protocols ?? ["binary"], { perMessageDeflate: false });
  const received = new ReceivedBytes();
  ws.on("message", (data: Buffer) => received.chunks.push(data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ok: true, ws, received, closed }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        resolve({
          ok: false,
          status: res.statusCode ?? 0,
          refusal: res.headers["x-educloud-console-refusal"] as string | undefined,
          body,
        });
        ws.on("error", () => undefined); // terminate() reports the aborted handshake as an error
        ws.terminate();
      });
    });
    ws.once("error", reject);
  });
}
