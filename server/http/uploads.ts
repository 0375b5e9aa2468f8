// tus uploads (server/uploads/tus-server.ts). The tus server speaks its own protocol (version header,
// offsets), so it is not built with defineHandler; it resolves the caller the same way
// (server/http/caller.ts), asks the same authorize() and maps failures with the same module.
import { sharedPortalTus } from "@/server/uploads/build-portal-tus";
import { errorResponse } from "./errors";
import type { RouteContext } from "./handler";

const tus = () => sharedPortalTus();
const idOf = async (ctx: RouteContext) => (await ctx.params).id ?? "";

export const uploadOptions = async (): Promise<Response> => tus().options();
export const createUpload = (req: Request): Promise<Response> => tus().create(req).catch(errorResponse);
export const uploadOffset = async (req: Request, ctx: RouteContext): Promise<Response> =>
  tus()
    .head(req, await idOf(ctx))
    .catch(errorResponse);
export const appendToUpload = async (req: Request, ctx: RouteContext): Promise<Response> =>
  tus()
    .patch(req, await idOf(ctx))
    .catch(errorResponse);
export const terminateUpload = async (req: Request, ctx: RouteContext): Promise<Response> =>
  tus()
    .terminate(req, await idOf(ctx))
    .catch(errorResponse);
