import { listLocalSessions } from "@/server/domain/local-desktops/list-local-sessions";
import { createTRPCRouter, procedureFor } from "../trpc";

export const localDesktopsRouter = createTRPCRouter({
  /** Which lab PCs run which local desktop now, and the last ended runs. */
  list: procedureFor("localDesktops", "list").query(({ ctx }) => listLocalSessions(ctx)),
});
