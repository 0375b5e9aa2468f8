import { z } from "zod";
import { PROFILE_KEYBOARD_LAYOUTS } from "./profiles";

// Inputs of thin-client terminals (docs/labs.md "Terminals"): what a lab PC sends when it enrols, what an
// admin sets, what a student types at the kiosk. Client-safe.

/** A terminal counts as online while it was heard from within this time (its boot script, its kiosk). */
export const TERMINAL_ONLINE_MS = 2 * 60_000;

/** aa:bb:cc:dd:ee:ff, aa-bb-…, or 12 hex digits; kept lower-case with colons (a label for the admin). */
export const macSchema = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase().replace(/[-.]/g, ":"))
  .transform((s) => (/^[0-9a-f]{12}$/.test(s) ? s.match(/../g)!.join(":") : s))
  .pipe(z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, "A MAC address: six hex pairs."));

const terminalName = z.string().trim().min(1, "Required.").max(64, "At most 64 characters.");

export const enrolTerminalInput = z.object({
  mac: macSchema,
  name: terminalName.optional(),
});

const id = z.uuid();
const labId = z.number().int().positive();

export const terminalIdInput = z.object({ id });

export const approveTerminalInput = z.object({
  id,
  labId,
  name: terminalName.optional(),
  /** A fixed desktop of the lab's pools: the terminal shows it without a sign-in. */
  seatInstanceId: z.uuid().nullable().default(null),
});

export const updateTerminalInput = z.object({
  id,
  name: terminalName.optional(),
  labId: labId.optional(),
  seatInstanceId: z.uuid().nullable().optional(),
  /** null: the lab's profile decides. */
  keyboardLayout: z.enum(PROFILE_KEYBOARD_LAYOUTS).nullable().optional(),
});

/** The desktops a terminal of this lab may be seated at (the dialog's seat picker). */
export const seatChoicesInput = z.object({ labId });

export const kioskSignInInput = z.object({
  username: z.string().trim().min(1, "Required.").max(64),
  password: z.string().min(1, "Required.").max(1024),
});

export type TerminalState = "pending" | "approved" | "revoked";
