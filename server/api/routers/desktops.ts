import {
  classroomInput,
  desktopIdInput,
  dismissDesktopMessagesInput,
  openDesktopInput,
  sendDesktopMessageInput,
} from "@/common/desktops";
import { readClassroom } from "@/server/domain/desktops/classroom";
import {
  dismissDesktopMessages,
  readDesktopMessages,
  sendDesktopMessage,
} from "@/server/domain/desktops/desktop-messages";
import { myDesktops } from "@/server/domain/desktops/my-desktops";
import { openDesktop } from "@/server/domain/desktops/open-desktop";
import { releaseDesktop, resetDesktop } from "@/server/domain/desktops/release-desktop";
import { createTRPCRouter, procedureFor } from "../trpc";

export const desktopsRouter = createTRPCRouter({
  mine: procedureFor("desktops", "mine").query(({ ctx }) => myDesktops(ctx)),
  open: procedureFor("desktops", "open")
    .input(openDesktopInput)
    .mutation(({ ctx, input }) => openDesktop(ctx, input.labId)),
  release: procedureFor("desktops", "release")
    .input(desktopIdInput)
    .mutation(({ ctx, input }) => releaseDesktop(ctx, input.instanceId)),
  reset: procedureFor("desktops", "reset")
    .input(desktopIdInput)
    .mutation(({ ctx, input }) => resetDesktop(ctx, input.instanceId)),
  messages: procedureFor("desktops", "readMessages")
    .input(desktopIdInput)
    .query(({ ctx, input }) => readDesktopMessages(ctx, input.instanceId)),
  dismissMessages: procedureFor("desktops", "dismissMessages")
    .input(dismissDesktopMessagesInput)
    .mutation(({ ctx, input }) => dismissDesktopMessages(ctx, input)),
  sendMessage: procedureFor("desktops", "message")
    .input(sendDesktopMessageInput)
    .mutation(({ ctx, input }) => sendDesktopMessage(ctx, input)),
  classroom: procedureFor("desktops", "classroom")
    .input(classroomInput)
    .query(({ ctx, input }) => readClassroom(ctx, input.labId)),
});
