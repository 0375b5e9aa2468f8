import { trpcHandler } from "@/server/http/trpc";

export const dynamic = "force-dynamic";

export { trpcHandler as GET, trpcHandler as POST };
