// Fetches one PNG of a desktop's screen from its host's console bridge: a grant of kind "thumbnail"
// (single use, seconds long, for this host and instance) on the pinned console address as http(s).
import type { KeyObject } from "node:crypto";
import { AGENT_THUMBNAIL_PATH, isConsoleUrl } from "@/agents/protocol";
import { signConsoleGrant } from "@/agents/protocol/console-grant";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import type { ThumbnailTarget } from "@/server/domain/desktops/thumbnail-target";

/** A screenshot is small (≤ a few hundred KiB at 1024×768); anything far larger is not one. */
const MAX_PNG_BYTES = 8 * 1024 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function fetchThumbnail(
  target: ThumbnailTarget,
  signingKey: KeyObject,
  opts: { timeoutMs?: number } = {},
): Promise<Buffer> {
  if (!isConsoleUrl(target.agentConsoleUrl))
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  const grant = signConsoleGrant(
    { hostId: target.hostId, instanceId: target.instanceId, kind: "thumbnail", exp: Date.now() + 15_000 },
    signingKey,
  );
  // ws://host:port → http://host:port (wss → https): the bridge serves both on one address.
  const base = target.agentConsoleUrl.replace(/^ws/, "http");
  let res: Response;
  try {
    res = await fetch(`${base}${AGENT_THUMBNAIL_PATH}?grant=${encodeURIComponent(grant)}`, {
      redirect: "error",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
  } catch {
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  }
  if (res.status === 404) throw new DomainError("CONFLICT", msg("instances.notRunning"));
  if (!res.ok || res.headers.get("content-type") !== "image/png")
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  const png = Buffer.from(await res.arrayBuffer());
  if (png.length > MAX_PNG_BYTES || !png.subarray(0, 8).equals(PNG_MAGIC))
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  return png;
}
