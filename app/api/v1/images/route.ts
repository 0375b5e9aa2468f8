import { uploadImage } from "@/server/http/images";

export const dynamic = "force-dynamic";

export { uploadImage as PUT };
