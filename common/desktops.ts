// Inputs of the desktops procedures: hand-out, release, reset, a teacher's messages, the classroom.
import { z } from "zod";

export const DESKTOP_MESSAGE_MAX = 500;

export const openDesktopInput = z.object({ labId: z.number().int().positive() });
export const desktopIdInput = z.object({ instanceId: z.uuid() });
export const sendDesktopMessageInput = z.object({
  instanceId: z.uuid(),
  text: z.string().trim().min(1).max(DESKTOP_MESSAGE_MAX),
});
export const dismissDesktopMessagesInput = z.object({
  instanceId: z.uuid(),
  /** The messages read; none named: every unseen one. */
  messageIds: z.array(z.number().int().positive()).max(100).optional(),
});
export const classroomInput = z.object({ labId: z.number().int().positive() });
