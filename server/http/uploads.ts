// tus uploads (server/uploads/tus-server.ts). The tus server speaks its own protocol (version header,
// offsets), so it is not built with defineHandler; it resolves the caller the same way
// (server/http/caller.ts), asks the same authorize() and maps failures with the same module.
import { sharedPortalTus } from "@/server/uploads/build-portal-tus";
import { errorResponse } from "./errors";
import { describeRoute, type RouteContext, type RouteMeta } from "./handler";

const tus = () => sharedPortalTus();
const idOf = async (ctx: RouteContext) => (await ctx.params).id ?? "";
const UPLOAD: RouteMeta = { resource: "images", action: "upload", credentials: "sessionOrToken" };

export const uploadOptions = describeRoute(async (): Promise<Response> => tus().options(), {
  resource: "images",
  action: "uploadDiscovery",
  credentials: "none",
});
export const createUpload = describeRoute(
  (req: Request): Promise<Response> => tus().create(req).catch(errorResponse),
  UPLOAD,
);
export const uploadOffset = describeRoute(
  async (req: Request, ctx: RouteContext): Promise<Response> =>
    tus()
      .head(req, await idOf(ctx))
      .catch(errorResponse),
  UPLOAD,
);
export const appendToUpload = describeRoute(
  async (req: Request, ctx: RouteContext): Promise<Response> =>
    tus()
      .patch(req, await idOf(ctx))
      .catch(errorResponse),
  UPLOAD,
);
export const terminateUpload = describeRoute(
  async (req: Request, ctx: RouteContext): Promise<Response> =>
    tus()
      .terminate(req, await idOf(ctx))
      .catch(errorResponse),
  UPLOAD,
);
