import {
  addClassMembersInput,
  classIdInput,
  deployClassInput,
  removeClassMembersInput,
  setCatalogueInput,
  undeployClassInput,
} from "@/common/classes";
import { setCatalogue } from "@/server/domain/classes/class-catalogue";
import { addClassMembers, removeClassMembers } from "@/server/domain/classes/class-members";
import { deployClass, undeployClass } from "@/server/domain/classes/deploy-class";
import { listClasses, readClass } from "@/server/domain/classes/read-class";
import { createTRPCRouter, procedureFor } from "../trpc";

export const classesRouter = createTRPCRouter({
  /** The groups the caller administers (superAdm: all). */
  list: procedureFor("classes", "read").query(({ ctx }) => listClasses(ctx)),
  get: procedureFor("classes", "read")
    .input(classIdInput)
    .query(({ ctx, input }) => readClass(ctx, input.id)),
  addMembers: procedureFor("classes", "addMembers")
    .input(addClassMembersInput)
    .mutation(({ ctx, input }) => addClassMembers(ctx, input)),
  removeMembers: procedureFor("classes", "removeMembers")
    .input(removeClassMembersInput)
    .mutation(({ ctx, input }) => removeClassMembers(ctx, input)),
  setCatalogue: procedureFor("classes", "setCatalogue")
    .input(setCatalogueInput)
    .mutation(async ({ ctx, input }) => ({ id: input.id, catalogue: await setCatalogue(ctx, input) })),
  deploy: procedureFor("classes", "deploy")
    .input(deployClassInput)
    .mutation(async ({ ctx, input }) => ({ id: input.id, ...(await deployClass(ctx, input)) })),
  undeploy: procedureFor("classes", "undeploy")
    .input(undeployClassInput)
    .mutation(({ ctx, input }) => undeployClass(ctx, input)),
});
