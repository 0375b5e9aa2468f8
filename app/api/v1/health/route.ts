import { liveness } from "@/server/http/health";

export const dynamic = "force-dynamic";

export { liveness as GET };
