import { downloadImage } from "@/server/http/images";

export const dynamic = "force-dynamic";

export { downloadImage as GET, downloadImage as HEAD };
