import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createRequestContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";
import { describeRoute } from "./handler";

/** The tRPC endpoint: each procedure is authorised by procedureFor() (server/api/trpc.ts). */
export const trpcHandler = describeRoute(
  (req: Request): Promise<Response> =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => createRequestContext(req),
    }),
  { exempt: "each procedure is built with procedureFor() and checked by the procedure matrix" },
);
