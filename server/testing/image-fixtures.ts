// Rows for image and task tests (no files): an image owned by someone in a group, a task of a user.
import { randomBytes, randomUUID } from "node:crypto";
import { images } from "@/db/schema";
import { createTask } from "@/server/domain/tasks/manage-tasks";
import { uniqueName, type TestServices } from "./fixtures";

export async function makeImageOf(
  s: TestServices,
  o: {
    ownerId: number;
    groupId: number | null;
    visibility?: "public" | "group" | "private";
    sha256?: string;
    familyId?: string;
    version?: number;
  },
): Promise<string> {
  const id = randomUUID();
  await s.db.insert(images).values({
    id,
    name: uniqueName("img"),
    sha256: o.sha256 ?? randomBytes(32).toString("hex"),
    format: "qcow2",
    sizeBytes: 1_000_000,
    virtualSizeBytes: 32 * 1024 * 1024,
    visibility: o.visibility ?? "public",
    ownerId: o.ownerId,
    groupId: o.groupId,
    familyId: o.familyId ?? id,
    version: o.version ?? 1,
  });
  return id;
}

const tasksOf = new Map<number, Promise<string>>();
const madeTasks = new Map<number, string>();
/** One task created by the user (the same one on every call). */
export function taskOfUser(s: TestServices, userId: number): Promise<string> {
  let t = tasksOf.get(userId);
  if (!t) {
    t = createTask(s.db, {
      kind: "image.import",
      targetType: "image",
      targetId: null,
      targetName: "fixture",
      createdBy: userId,
    }).then((id) => {
      madeTasks.set(userId, id);
      return id;
    });
    tasksOf.set(userId, t);
  }
  return t;
}
/** The task taskOfUser() made for the user (after it was awaited). */
export const madeTaskOf = (userId: number): string | undefined => madeTasks.get(userId);
