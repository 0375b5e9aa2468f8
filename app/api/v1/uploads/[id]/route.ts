import { errorResponse } from "@/server/api/rest";
import { portalTus } from "@/server/uploads/portal-tus";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

// One tus upload: HEAD (offset), PATCH (append), DELETE (termination).
export async function OPTIONS() {
  return portalTus().options();
}

export async function HEAD(req: Request, ctx: Ctx) {
  return portalTus()
    .head(req, (await ctx.params).id)
    .catch(errorResponse);
}

export async function PATCH(req: Request, ctx: Ctx) {
  return portalTus()
    .patch(req, (await ctx.params).id)
    .catch(errorResponse);
}

export async function DELETE(req: Request, ctx: Ctx) {
  return portalTus()
    .terminate(req, (await ctx.params).id)
    .catch(errorResponse);
}
