import { z } from "zod";

// Inputs of the profile procedures (a teacher's desktop profiles). Client-safe: the profile pages
// validate their forms with the same schemas. The hardware lists are agents/protocol/hardware.ts's
// (common/ may not import it; profile-inputs.test.ts keeps them equal).

export const PROFILE_FIRMWARES = ["bios", "uefi"] as const;
export const PROFILE_DISK_BUSES = ["virtio", "sata"] as const;
export const PROFILE_NIC_MODELS = ["virtio", "e1000"] as const;
export const PROFILE_KEYBOARD_LAYOUTS = [
  "en-us",
  "en-gb",
  "de",
  "fr",
  "es",
  "it",
  "ja",
  "pt",
  "ru",
  "sv",
] as const;
export const PROFILE_CONSOLE_KINDS = ["vnc", "serial"] as const;

const id = z.number().int().positive();

export const profileNameSchema = z.string().trim().min(1, "Required.").max(64, "At most 64 characters.");

/** Everything about a profile but its image (versions) and owner group. */
const profileSettings = {
  name: profileNameSchema,
  description: z.string().trim().max(500, "At most 500 characters."),
  flavorId: z.number({ message: "Choose a flavor." }).int().positive(),
  /** The network a desktop's one NIC joins; null: no NIC. */
  networkId: z.uuid().nullable(),
  consoleKinds: z
    .array(z.enum(PROFILE_CONSOLE_KINDS))
    .min(1, "Choose at least one console.")
    .max(2)
    .transform((k) => [...new Set(k)]),
  keyboardLayout: z.enum(PROFILE_KEYBOARD_LAYOUTS),
  /** Snapshot mode: a desktop's writes are discarded when it stops or is reset. */
  throwaway: z.boolean(),
  firmware: z.enum(PROFILE_FIRMWARES),
  diskBus: z.enum(PROFILE_DISK_BUSES),
  nicModel: z.enum(PROFILE_NIC_MODELS),
  usbTablet: z.boolean(),
  /** The labs it may be used in (lab affinity): labs of the profile's group (or public ones). */
  labIds: z.array(id).max(200),
};

export const createProfileInput = z.object({
  ...profileSettings,
  description: profileSettings.description.default(""),
  networkId: profileSettings.networkId.default(null),
  consoleKinds: profileSettings.consoleKinds.default(["vnc"]),
  keyboardLayout: profileSettings.keyboardLayout.default("en-us"),
  throwaway: profileSettings.throwaway.default(true),
  firmware: profileSettings.firmware.default("bios"),
  diskBus: profileSettings.diskBus.default("virtio"),
  nicModel: profileSettings.nicModel.default("virtio"),
  usbTablet: profileSettings.usbTablet.default(true),
  labIds: profileSettings.labIds.default([]),
  /** The owner group; null: a public profile (superAdm only). */
  groupId: id.nullable(),
  /** Version 1's image: one the caller may launch in that group (its catalogue). */
  imageId: z.uuid("Choose an image."),
});

/** Settings to change; a field left out stays as it is. */
export const updateProfileInput = z.object({ id }).extend(
  Object.fromEntries(Object.entries(profileSettings).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof profileSettings]: z.ZodOptional<(typeof profileSettings)[K]>;
  },
);

export const profileIdInput = z.object({ id });

export const setCurrentVersionInput = z.object({ id, version: z.number().int().positive() });

export const cloneProfileInput = z.object({
  id,
  name: profileNameSchema,
  /** The new profile's group: one the caller administers (null: public, superAdm only). */
  groupId: id.nullable(),
});

export const publishAdminModeInput = z.object({
  id,
  note: z.string().trim().min(1, "Say what changed.").max(500, "At most 500 characters."),
});
