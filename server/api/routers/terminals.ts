// Terminals as the admin runs them (docs/labs.md "Terminals"). Outputs:
//  - list → TerminalView[]: id, name, mac, state, lab {id,name}|null, seatInstanceId, keyboardLayout,
//    online (heard from within 2 min), lastContactAt, lastIp, signedIn {id,username}|null,
//    desktop {id,name,state}|null (what it shows now), createdAt, approvedAt.
//  - seatChoices({labId}) → SeatChoice[]: the lab's live desktops by name: id, name, state, handedOut
//    (a student's: no seat), seatOf [{id,name}] (terminals seated there already).
//  - approve, update, revoke, delete → {id}.
import {
  approveTerminalInput,
  seatChoicesInput,
  terminalIdInput,
  updateTerminalInput,
} from "@/common/terminals";
import {
  approveTerminal,
  deleteTerminal,
  listTerminals,
  revokeTerminal,
  updateTerminal,
} from "@/server/domain/terminals/manage-terminals";
import { listSeatChoices } from "@/server/domain/terminals/seat-choices";
import { createTRPCRouter, procedureFor } from "../trpc";

export const terminalsRouter = createTRPCRouter({
  list: procedureFor("terminals", "list").query(({ ctx }) => listTerminals(ctx)),
  approve: procedureFor("terminals", "approve")
    .input(approveTerminalInput)
    .mutation(({ ctx, input }) => approveTerminal(ctx, input)),
  update: procedureFor("terminals", "update")
    .input(updateTerminalInput)
    .mutation(({ ctx, input }) => updateTerminal(ctx, input)),
  seatChoices: procedureFor("terminals", "seatChoices")
    .input(seatChoicesInput)
    .query(({ ctx, input }) => listSeatChoices(ctx, input.labId)),
  revoke: procedureFor("terminals", "revoke")
    .input(terminalIdInput)
    .mutation(({ ctx, input }) => revokeTerminal(ctx, input.id)),
  delete: procedureFor("terminals", "delete")
    .input(terminalIdInput)
    .mutation(({ ctx, input }) => deleteTerminal(ctx, input.id)),
});
