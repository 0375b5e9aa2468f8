import { uploadCaptureFromAgent } from "@/server/http/agent";

export const dynamic = "force-dynamic";

export { uploadCaptureFromAgent as PUT };
