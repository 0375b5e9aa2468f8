// Labs (docs/labs.md). Outputs:
//  - list → LabSummary[]: id, name, description, group {id,name}|null (public), seats, profileCount,
//    lessonCount, runningPools, createdAt, updatedAt.
//  - get, create, update, setLessons → LabView: the summary plus profiles [{id, name, groupId,
//    currentVersion, inAdminMode}], lessons [{id, weekday (ISO 1–7), start "HH:MM", end "HH:MM",
//    warmMinutes}] in week order, pools [{id, profile {id,name}, size, spare, idleSize, state, desktops,
//    assigned}].
//  - delete → {id}.
import { createLabInput, labIdInput, setLessonsInput, updateLabInput } from "@/common/labs";
import { createLab, deleteLab, setLessons, updateLab } from "@/server/domain/labs/manage-labs";
import { listLabs, readLab } from "@/server/domain/labs/read-labs";
import { createTRPCRouter, procedureFor } from "../trpc";

export const labsRouter = createTRPCRouter({
  /** Labs of the groups the caller administers (superAdm: all). */
  list: procedureFor("labs", "list").query(({ ctx }) => listLabs(ctx)),
  get: procedureFor("labs", "read")
    .input(labIdInput)
    .query(({ ctx, input }) => readLab(ctx, input.id)),
  create: procedureFor("labs", "create")
    .input(createLabInput)
    .mutation(({ ctx, input }) => createLab(ctx, input)),
  update: procedureFor("labs", "update")
    .input(updateLabInput)
    .mutation(({ ctx, input }) => updateLab(ctx, input)),
  delete: procedureFor("labs", "delete")
    .input(labIdInput)
    .mutation(({ ctx, input }) => deleteLab(ctx, input.id)),
  /** Replaces the weekly lessons. */
  setLessons: procedureFor("labs", "setLessons")
    .input(setLessonsInput)
    .mutation(({ ctx, input }) => setLessons(ctx, input)),
});
