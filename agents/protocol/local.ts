// Local desktops (issue 14, F7): what an agent in local mode asks the portal over HTTP with its host
// credential. The portal decides from who the host IS (its credential) and, for a user's own profiles,
// from that user's password checked there and then: a host can never name a user and get their list.
import { z } from "zod";
import { hardwareSchema } from "./hardware";
import { imageRefSchema } from "./index";

export const LOCAL_PROFILES_PATH = "/api/v1/agent/local/profiles";
export const LOCAL_USAGE_PATH = "/api/v1/agent/local/usage";

/** No body fields: anonymous (public profiles only). Both: the user's own profiles too. */
export const localProfilesRequestSchema = z
  .object({
    username: z.string().min(1).max(64).optional(),
    password: z.string().min(1).max(256).optional(),
  })
  .strict()
  .refine((b) => (b.username === undefined) === (b.password === undefined), {
    message: "username and password go together",
  });
export type LocalProfilesRequest = z.infer<typeof localProfilesRequestSchema>;

export const localProfileSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(64),
  description: z.string().max(500),
  /** true: anyone at the PC may start it (no sign-in); false: only the signed-in user it was listed for. */
  public: z.boolean(),
  version: z.number().int().positive(),
  image: imageRefSchema,
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z.number().int().min(16),
  diskGiB: z.number().positive(),
  hardware: hardwareSchema,
  /**
   * For a user's own (not public) profile: a short-lived ticket that lets this host fetch the image
   * (`?ticket=` on the image route). Public profiles' images need none.
   */
  imageTicket: z.string().max(512).optional(),
});
export type LocalProfile = z.infer<typeof localProfileSchema>;

export const localProfilesResponseSchema = z.object({
  /** The signed-in user, absent for anonymous. */
  user: z
    .object({
      id: z.number().int().positive(),
      username: z.string(),
      /**
       * The portal's proof that this host signed this user in: sent back with the usage of the user's
       * runs, so a host cannot put a run on the account of someone who never signed in at it.
       */
      ticket: z.string().max(512),
    })
    .optional(),
  profiles: z.array(localProfileSchema).max(500),
});
export type LocalProfilesResponse = z.infer<typeof localProfilesResponseSchema>;

/** One local desktop run as the agent reports it; sent again (same id) when it ends. Idempotent. */
export const localUsageRecordSchema = z.object({
  /** Chosen by the agent (a UUID) when the run starts. */
  id: z.uuid(),
  /** Who started it: null for anonymous. */
  userId: z.number().int().positive().nullable(),
  /** With a userId: the ticket from that user's sign-in at this host. Without a valid one the run counts as anonymous. */
  userTicket: z.string().max(512).optional(),
  profileId: z.number().int().positive(),
  profileName: z.string().min(1).max(64),
  profileVersion: z.number().int().positive(),
  startedAt: z.coerce.date(),
  endedAt: z.coerce.date().nullable(),
});
export type LocalUsageRecord = z.infer<typeof localUsageRecordSchema>;

export const localUsageReportSchema = z.object({ records: z.array(localUsageRecordSchema).min(1).max(200) });
export type LocalUsageReport = z.infer<typeof localUsageReportSchema>;
