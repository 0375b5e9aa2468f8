import { z } from "zod";
import { createJoinTokenInput, setHostClusterInput } from "@/common/clusters";
import { listHosts, setHostEnabled } from "@/server/domain/hosts/find-hosts";
import { removeHost, revokeHost, rotateHostCredentials } from "@/server/domain/hosts/host-lifecycle";
import { createJoinToken } from "@/server/domain/hosts/join-host";
import { setHostConsoleUrl } from "@/server/domain/hosts/set-console-url";
import { setHostCluster } from "@/server/domain/hosts/set-host-cluster";
import { createTRPCRouter, procedureFor } from "../trpc";

const byId = z.object({ id: z.uuid() });

export const hostsRouter = createTRPCRouter({
  list: procedureFor("hosts", "list").query(({ ctx }) => listHosts(ctx)),
  createJoinToken: procedureFor("hosts", "createJoinToken")
    .input(createJoinTokenInput)
    .mutation(({ ctx, input }) => createJoinToken(ctx, input)),
  setCluster: procedureFor("hosts", "setCluster")
    .input(setHostClusterInput)
    .mutation(({ ctx, input }) => setHostCluster(ctx, input)),
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
