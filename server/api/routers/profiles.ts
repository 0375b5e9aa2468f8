// Desktop profiles (docs/labs.md). Outputs:
//  - list → ProfileSummary[]: id, name, description, group {id,name}|null (public), flavor {id,name,vcpus,
//    memoryMiB,diskGiB}, network {id,name}|null, consoleKinds, keyboardLayout, throwaway, firmware,
//    diskBus, nicModel, usbTablet, currentVersion, currentImage {id,name,version}, adminInstanceId,
//    clonedFromId, desktopCount, createdAt, updatedAt.
//  - get, create, update, setCurrentVersion, clone, startAdminMode, discardAdminMode → ProfileView:
//    the summary plus versions [{version, imageId, imageName, imageVersion, note, createdBy {id,username,
//    displayName}|null, createdAt}] newest first, labs [{id,name,groupId}], publishingTaskId.
//  - publishAdminMode → {taskId}: the capture task (live progress on tasks.list); when it succeeds the
//    profile has version N+1 (the note, the author), current, and admin mode is over.
//  - runningDesktops → RunningDesktop[]: id, name, state, profileVersion, assignedTo
//    {id,username,displayName}|null — what to shut down before admin mode.
//  - delete → {id}.
import {
  cloneProfileInput,
  createProfileInput,
  profileIdInput,
  publishAdminModeInput,
  setCurrentVersionInput,
  updateProfileInput,
} from "@/common/profiles";
import {
  discardAdminMode,
  listRunningDesktops,
  publishAdminMode,
  startAdminMode,
} from "@/server/domain/profiles/admin-mode";
import {
  cloneProfile,
  createProfile,
  deleteProfile,
  setCurrentVersion,
  updateProfile,
} from "@/server/domain/profiles/manage-profiles";
import { listProfiles, readProfile } from "@/server/domain/profiles/read-profiles";
import { createTRPCRouter, procedureFor } from "../trpc";

export const profilesRouter = createTRPCRouter({
  /** The caller's groups' profiles and the public ones (superAdm: all). */
  list: procedureFor("profiles", "list").query(({ ctx }) => listProfiles(ctx)),
  get: procedureFor("profiles", "read")
    .input(profileIdInput)
    .query(({ ctx, input }) => readProfile(ctx, input.id)),
  create: procedureFor("profiles", "create")
    .input(createProfileInput)
    .mutation(({ ctx, input }) => createProfile(ctx, input)),
  update: procedureFor("profiles", "update")
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx, input)),
  delete: procedureFor("profiles", "delete")
    .input(profileIdInput)
    .mutation(({ ctx, input }) => deleteProfile(ctx, input.id)),
  setCurrentVersion: procedureFor("profiles", "setCurrentVersion")
    .input(setCurrentVersionInput)
    .mutation(({ ctx, input }) => setCurrentVersion(ctx, input)),
  clone: procedureFor("profiles", "clone")
    .input(cloneProfileInput)
    .mutation(({ ctx, input }) => cloneProfile(ctx, input)),
  startAdminMode: procedureFor("profiles", "startAdminMode")
    .input(profileIdInput)
    .mutation(({ ctx, input }) => startAdminMode(ctx, input.id)),
  publishAdminMode: procedureFor("profiles", "publishAdminMode")
    .input(publishAdminModeInput)
    .mutation(({ ctx, input }) => publishAdminMode(ctx, input)),
  discardAdminMode: procedureFor("profiles", "discardAdminMode")
    .input(profileIdInput)
    .mutation(({ ctx, input }) => discardAdminMode(ctx, input.id)),
  runningDesktops: procedureFor("profiles", "runningDesktops")
    .input(profileIdInput)
    .query(({ ctx, input }) => listRunningDesktops(ctx, input.id)),
});
