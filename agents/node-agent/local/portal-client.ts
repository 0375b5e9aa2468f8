// The local launcher's two questions to the portal, over HTTP with the host's credential, only to the
// portal this host joined. A portal that does not answer in time is "offline": the launcher falls back
// to what it kept on disk.
import { hostAuthHeader, type JoinResponse } from "../../protocol/index";
import {
  LOCAL_PROFILES_PATH,
  LOCAL_USAGE_PATH,
  localProfilesResponseSchema,
  type LocalProfilesResponse,
  type LocalUsageRecord,
} from "../../protocol/local";

/** The portal did not answer (down, unreachable, too slow, or a server error). */
export class PortalUnreachableError extends Error {}

/** The portal answered and said no: wrong password, a revoked host, a pending account. */
export class PortalRefusedError extends Error {
  constructor(
    readonly status: number,
    /** The portal's message code (e.g. auth.invalidCredentials), for the launcher's own text. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

type Creds = Pick<JoinResponse, "hostId" | "hostSecret" | "portalUrl">;

export class LocalPortalClient {
  constructor(
    private readonly creds: Creds,
    private readonly timeoutMs = 8_000,
  ) {}

  /** Public profiles (no login), or the user's own and the public ones after the portal checks the password. */
  async listProfiles(login?: { username: string; password: string }): Promise<LocalProfilesResponse> {
    const body = await this.post(LOCAL_PROFILES_PATH, login ?? {});
    return localProfilesResponseSchema.parse(body);
  }

  async reportUsage(records: LocalUsageRecord[]): Promise<void> {
    await this.post(LOCAL_USAGE_PATH, { records });
  }

  private async post(path: string, payload: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.creds.portalUrl), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: hostAuthHeader(this.creds.hostId, this.creds.hostSecret),
        },
        body: JSON.stringify(payload),
        // A redirect could lead the host's credential (and a user's password) elsewhere.
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new PortalUnreachableError(`the portal did not answer: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as {
      message?: string;
      serverMessage?: { code?: string };
    };
    if (res.status >= 500) throw new PortalUnreachableError(`the portal answered HTTP ${res.status}`);
    if (!res.ok)
      throw new PortalRefusedError(
        res.status,
        body.serverMessage?.code,
        body.message ?? `HTTP ${res.status}`,
      );
    return body;
  }
}
