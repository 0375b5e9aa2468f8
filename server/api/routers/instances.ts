import { requestInstanceAction } from "@/server/domain/instances/act-on-instance";
import { createInstance } from "@/server/domain/provisioning/create-instances";
import { getInstance, listInstanceEvents, listInstances } from "@/server/domain/instances/find-instances";
import { listInstanceNics } from "@/server/domain/networks/find-networks";
import { assignInstanceInput, launchOptionsInput } from "@/common/classes";
import { assignInstance } from "@/server/domain/instances/assign-instance";
import { readLaunchOptions } from "@/server/domain/groups/launch-options";
import { listResizeChoices, resizeInstance } from "@/server/domain/provisioning/resize-instance";
import {
  createInstanceInput,
  instanceIdInput,
  listInstancesInput,
  resizeInstanceInput,
} from "@/server/domain/instances/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const instancesRouter = createTRPCRouter({
  list: procedureFor("instances", "list")
    .input(listInstancesInput)
    .query(({ ctx, input }) => listInstances(ctx, input)),
  get: procedureFor("instances", "read")
    .input(instanceIdInput)
    .query(({ ctx, input }) => getInstance(ctx, input.id)),
  nics: procedureFor("instances", "nics")
    .input(instanceIdInput)
    .query(({ ctx, input }) => listInstanceNics(ctx, input.id)),
  events: procedureFor("instances", "read")
    .input(instanceIdInput)
    .query(({ ctx, input }) => listInstanceEvents(ctx, input.id)),
  create: procedureFor("instances", "create")
    .input(createInstanceInput)
    .mutation(({ ctx, input }) => createInstance(ctx, input)),
  start: procedureFor("instances", "start")
    .input(instanceIdInput)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx, input.id, "start")),
  stop: procedureFor("instances", "stop")
    .input(instanceIdInput)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx, input.id, "stop")),
  reboot: procedureFor("instances", "reboot")
    .input(instanceIdInput)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx, input.id, "reboot")),
  /** The flavors a stopped instance may be resized to: asked with the resize permission it leads to. */
  resizeOptions: procedureFor("instances", "resize")
    .input(instanceIdInput)
    .query(({ ctx, input }) => listResizeChoices(ctx, input.id)),
  resize: procedureFor("instances", "resize")
    .input(resizeInstanceInput)
    .mutation(({ ctx, input }) => resizeInstance(ctx, input)),
  delete: procedureFor("instances", "delete")
    .input(instanceIdInput)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx, input.id, "delete")),
  assign: procedureFor("instances", "assign")
    .input(assignInstanceInput)
    .mutation(({ ctx, input }) => assignInstance(ctx, input)),
  launchOptions: procedureFor("instances", "launchOptions")
    .input(launchOptionsInput)
    .query(({ ctx, input }) => readLaunchOptions(ctx, input)),
});
