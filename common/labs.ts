import { z } from "zod";

// Inputs of the lab procedures (a teacher's rooms of seats and their weekly lessons). Client-safe.

const id = z.number().int().positive();

export const LAB_SEATS = { min: 1, max: 500 } as const;

const labFields = {
  name: z.string().trim().min(1, "Required.").max(64, "At most 64 characters."),
  description: z.string().trim().max(500, "At most 500 characters."),
  seats: z
    .number()
    .int()
    .min(LAB_SEATS.min, "At least 1 seat.")
    .max(LAB_SEATS.max, `At most ${LAB_SEATS.max} seats.`),
  /** The profiles the lab may use: of the lab's group, or public. */
  profileIds: z.array(id).max(200),
};

export const createLabInput = z.object({
  ...labFields,
  description: labFields.description.default(""),
  profileIds: labFields.profileIds.default([]),
  /** The owner group; null: a public lab (superAdm only). */
  groupId: id.nullable(),
});

export const updateLabInput = z.object({
  id,
  name: labFields.name.optional(),
  description: labFields.description.optional(),
  seats: labFields.seats.optional(),
  profileIds: labFields.profileIds.optional(),
});

export const labIdInput = z.object({ id });

/** "HH:MM", 00:00–23:59 (end may be 24:00: a lesson until midnight). */
export const lessonTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "A time as HH:MM.");

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

export const timeOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

export const lessonSchema = z
  .object({
    /** ISO weekday: 1 = Monday … 7 = Sunday. */
    weekday: z.number().int().min(1, "1 (Monday) to 7 (Sunday).").max(7, "1 (Monday) to 7 (Sunday)."),
    start: lessonTimeSchema,
    end: lessonTimeSchema,
    /** Desktops are started this many minutes before the lesson. */
    warmMinutes: z.number().int().min(0, "0 to 120 minutes.").max(120, "0 to 120 minutes.").default(10),
  })
  .refine((l) => minutesOf(l.end) > minutesOf(l.start), {
    message: "The lesson must end after it starts.",
    path: ["end"],
  });

/** Replaces the lab's lessons; no two may overlap on one weekday (checked here and in the domain). */
export const setLessonsInput = z.object({ id, lessons: z.array(lessonSchema).max(100) });
