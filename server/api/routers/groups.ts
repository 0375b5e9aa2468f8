import {
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  setGroupAdmins,
  setGroupMembers,
  updateGroup,
} from "@/server/domain/groups/manage-groups";
import {
  createGroupInput,
  groupIdInput,
  setGroupAdminsInput,
  setGroupMembersInput,
  updateGroupInput,
} from "@/server/domain/groups/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const groupsRouter = createTRPCRouter({
  list: procedureFor("groups", "list").query(({ ctx }) => listGroups(ctx)),
  get: procedureFor("groups", "read")
    .input(groupIdInput)
    .query(({ ctx, input }) => getGroup(ctx, input.id)),
  create: procedureFor("groups", "create")
    .input(createGroupInput)
    .mutation(({ ctx, input }) => createGroup(ctx, input)),
  update: procedureFor("groups", "update")
    .input(updateGroupInput)
    .mutation(({ ctx, input }) => updateGroup(ctx, input)),
  delete: procedureFor("groups", "delete")
    .input(groupIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteGroup(ctx, input.id);
      return { id: input.id };
    }),
  setMembers: procedureFor("groups", "setMembers")
    .input(setGroupMembersInput)
    .mutation(({ ctx, input }) => setGroupMembers(ctx, input)),
  setAdmins: procedureFor("groups", "setAdmins")
    .input(setGroupAdminsInput)
    .mutation(({ ctx, input }) => setGroupAdmins(ctx, input)),
});
