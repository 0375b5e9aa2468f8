import { z } from "zod";
import { approveUserInput, importCsvInput, issueResetLinkInput } from "@/common/accounts";
import { issueResetLink } from "@/server/domain/account/reset-links";
import { approveUser, rejectUser } from "@/server/domain/users/approve-users";
import { importUsersCsv } from "@/server/domain/users/import-csv";
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
  issueResetLink: procedureFor("users", "issueResetLink")
    .input(issueResetLinkInput)
    .mutation(({ ctx, input }) => issueResetLink(ctx, input)),
  approve: procedureFor("users", "approve")
    .input(approveUserInput)
    .mutation(({ ctx, input }) => approveUser(ctx, input)),
  /** Turns a pending sign-up away (deletes it): the same people who may approve it. */
  reject: procedureFor("users", "approve")
    .input(approveUserInput)
    .mutation(({ ctx, input }) => rejectUser(ctx, input)),
  importCsv: procedureFor("users", "importCsv")
    .input(importCsvInput)
    .mutation(({ ctx, input }) => importUsersCsv(ctx, input)),
});
