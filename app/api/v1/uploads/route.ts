import { createUpload, uploadOptions } from "@/server/http/uploads";

export const dynamic = "force-dynamic";

// tus 1.0.0 creation: POST with Upload-Length and Upload-Metadata.
export { uploadOptions as OPTIONS, createUpload as POST };
