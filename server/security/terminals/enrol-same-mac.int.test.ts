// Enrolling is open to anyone on the network, and a MAC is only a label anyone can send. The attack: a
// machine elsewhere enrols with the MAC of a lab PC that is waiting for approval. "One pending request
// per MAC" deleted the PC's own request, so its boot script, holding an id the portal no longer knew,
// was refused as a bad signature forever, and the admin's list showed only the intruder's request under
// that PC's MAC. A re-enrolment replaces only a request from the same address; from elsewhere both
// requests stay, side by side, for the admin to compare codes.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminals } from "@/db/schema";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import { openTestServices, uniqueName, type TestServices } from "@/server/testing/fixtures";
import * as enrolRoute from "@/app/api/v1/terminals/enrol/route";
import * as configRoute from "@/app/api/v1/terminals/config/route";

let s: TestServices;
const portal = "http://portal";
const CONFIG = "/api/v1/terminals/config";
const randomMac = () =>
  [
    "02",
    ...Array.from({ length: 5 }, () =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, "0"),
    ),
  ].join(":");

async function enrol(mac: string, ip: string) {
  const res = await enrolRoute.POST(
    new Request(`${portal}/api/v1/terminals/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-educloud-client-ip": ip },
      body: JSON.stringify({ mac, name: uniqueName("pc") }),
    }),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { terminalId: string; secret: string };
}

async function configCode(t: { terminalId: string; secret: string }) {
  const res = await configRoute.GET(
    new Request(`${portal}${CONFIG}`, {
      headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "GET", CONFIG),
    }),
  );
  return {
    status: res.status,
    code: ((await res.json()) as { serverMessage?: { code: string } }).serverMessage?.code,
  };
}

const octet = () => Math.floor(Math.random() * 250) + 1;

beforeAll(() => {
  s = openTestServices();
});
afterAll(async () => s?.close());

describe("enrolling with another PC's MAC", () => {
  it("leaves that PC's pending request alone; the same address re-enrolling replaces its own", async () => {
    const mac = randomMac();
    const labPc = `10.31.${octet()}.${octet()}`;
    const intruder = `10.32.${octet()}.${octet()}`;
    const genuine = await enrol(mac, labPc);
    const forged = await enrol(mac, intruder);
    // The lab PC is still told it waits for approval (not refused as a stranger).
    expect(await configCode(genuine)).toEqual({ status: 403, code: "terminals.pending" });
    const rows = await s.db.select().from(terminals).where(eq(terminals.mac, mac));
    expect(rows.map((r) => r.id).sort()).toEqual([genuine.terminalId, forged.terminalId].sort());

    // The PC itself enrolling again (its disk wiped) still replaces its own request, and only that.
    const again = await enrol(mac, labPc);
    const after = await s.db.select().from(terminals).where(eq(terminals.mac, mac));
    expect(after.map((r) => r.id).sort()).toEqual([again.terminalId, forged.terminalId].sort());
    expect((await configCode(genuine)).status).toBe(401);
  });
});
