import { z } from "zod";
import { clearSignInLock } from "@/server/domain/account/clear-sign-in-lock";
import { getUser, listUsers } from "@/server/domain/users/find-users";
import {
  createUser,
  resetUserPassword,
  setUserDisabled,
  updateUser,
} from "@/server/domain/users/manage-users";
import {
  createUserInput,
  idSchema,
  listUsersInput,
  resetUserPasswordInput,
  setUserDisabledInput,
  updateUserInput,
} from "@/server/domain/users/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const usersRouter = createTRPCRouter({
  list: procedureFor("users", "list")
    .input(listUsersInput)
    .query(({ ctx, input }) => listUsers(ctx, input)),
  get: procedureFor("users", "read")
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => getUser(ctx, input.id)),
  create: procedureFor("users", "create")
    .input(createUserInput)
    .mutation(({ ctx, input }) => createUser(ctx, input)),
  update: procedureFor("users", "update")
    .input(updateUserInput)
    .mutation(({ ctx, input }) => updateUser(ctx, input)),
  setDisabled: procedureFor("users", "setDisabled")
    .input(setUserDisabledInput)
    .mutation(({ ctx, input }) => setUserDisabled(ctx, input)),
  resetPassword: procedureFor("users", "resetPassword")
    .input(resetUserPasswordInput)
    .mutation(({ ctx, input }) => resetUserPassword(ctx, input)),
  clearSignInLock: procedureFor("users", "clearSignInLock")
    .input(z.object({ id: idSchema }))
    .mutation(({ ctx, input }) => clearSignInLock(ctx, input.id)),
});
