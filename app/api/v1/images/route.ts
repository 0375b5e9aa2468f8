import { uploadImage } from "@/server/http/images";
import { restHandler } from "@/server/http/rest/rest-handler";

export const dynamic = "force-dynamic";

// PUT uploads a file; GET is the REST list (this folder's route file would otherwise shadow the REST tree).
export { uploadImage as PUT, restHandler as GET };
