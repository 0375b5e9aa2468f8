import { createConsoleTicket, createTicketInput } from "@/server/domain/consoles/console-tickets";
import { createTRPCRouter, procedureFor } from "../trpc";

export const consolesRouter = createTRPCRouter({
  // A mutation: it creates something (a ticket), and is audited like every mutation — never the ticket.
  createTicket: procedureFor("consoles", "open")
    .input(createTicketInput)
    .mutation(({ ctx, input }) => createConsoleTicket(ctx, input)),
});
