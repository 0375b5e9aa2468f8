import { appendToUpload, terminateUpload, uploadOffset, uploadOptions } from "@/server/http/uploads";

export const dynamic = "force-dynamic";

// One tus upload: HEAD (offset), PATCH (append), DELETE (termination).
export { uploadOptions as OPTIONS, uploadOffset as HEAD, appendToUpload as PATCH, terminateUpload as DELETE };
