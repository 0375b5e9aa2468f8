import { z } from "zod";
import { listHosts, setHostEnabled } from "@/server/domain/hosts/find-hosts";
import { removeHost, revokeHost, rotateHostCredentials } from "@/server/domain/hosts/host-lifecycle";
import { createJoinToken } from "@/server/domain/hosts/join-host";
import { setHostConsoleUrl } from "@/server/domain/hosts/set-console-url";
import { createTRPCRouter, procedureFor } from "../trpc";

const byId = z.object({ id: z.uuid() });

export const hostsRouter = createTRPCRouter({
  list: procedureFor("hosts", "list").query(({ ctx }) => listHosts(ctx)),
  createJoinToken: procedureFor("hosts", "createJoinToken").mutation(({ ctx }) => createJoinToken(ctx)),
  setEnabled: procedureFor("hosts", "setEnabled")
    .input(z.object({ id: z.uuid(), enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setHostEnabled(ctx, input)),
  revoke: procedureFor("hosts", "revoke")
    .input(byId)
    .mutation(({ ctx, input }) => revokeHost(ctx, input)),
  rotateCredentials: procedureFor("hosts", "rotateCredentials")
    .input(byId)
    .mutation(({ ctx, input }) => rotateHostCredentials(ctx, input)),
  remove: procedureFor("hosts", "remove")
    .input(byId)
    .mutation(({ ctx, input }) => removeHost(ctx, input)),
  /** Validated in the domain (ws/wss, host and port only), so the form gets a coded field message. */
  setConsoleUrl: procedureFor("hosts", "setConsoleUrl")
    .input(z.object({ id: z.uuid(), consoleUrl: z.string().max(300) }))
    .mutation(({ ctx, input }) => setHostConsoleUrl(ctx, input)),
});
