// The guest's virtual hardware: what a desktop profile picks so that the guests schools run boot (a
// Windows image wants SATA and e1000 until its virtio drivers are installed; a UEFI-only image needs OVMF).
import { z } from "zod";

export const FIRMWARES = ["bios", "uefi"] as const;
export const DISK_BUSES = ["virtio", "sata"] as const;
export const NIC_MODELS = ["virtio", "e1000"] as const;
/** QEMU's VNC keymaps a profile may name (the guest's layout for keys typed in the graphical console). */
export const KEYBOARD_LAYOUTS = ["en-us", "en-gb", "de", "fr", "es", "it", "ja", "pt", "ru", "sv"] as const;

export const hardwareSchema = z.object({
  firmware: z.enum(FIRMWARES).default("bios"),
  diskBus: z.enum(DISK_BUSES).default("virtio"),
  nicModel: z.enum(NIC_MODELS).default("virtio"),
  /** An absolute pointer (USB tablet) so the console's mouse follows the browser's exactly. */
  usbTablet: z.boolean().default(true),
  keyboardLayout: z.enum(KEYBOARD_LAYOUTS).default("en-us"),
});
export type Hardware = z.output<typeof hardwareSchema>;
export type HardwareInput = z.input<typeof hardwareSchema>;
export const DEFAULT_HARDWARE: Hardware = hardwareSchema.parse({});
