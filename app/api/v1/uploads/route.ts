import { errorResponse } from "@/server/api/rest";
import { portalTus } from "@/server/uploads/portal-tus";

export const dynamic = "force-dynamic";

// tus 1.0.0 creation (server/uploads/tus-server.ts): POST with Upload-Length and Upload-Metadata.
export async function OPTIONS() {
  return portalTus().options();
}

export async function POST(req: Request) {
  return portalTus().create(req).catch(errorResponse);
}
