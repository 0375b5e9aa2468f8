// Which hypervisor runs a VM. A host's facts list the kinds it offers; an instance.create job names
// the one its VM needs, and the agent hands the job to that kind's driver.
import { z } from "zod";

/** `sim` is the scale simulator's driver: never offered by a real host unless asked for. */
export const HYPERVISOR_KINDS = ["qemu", "virtualbox", "sim"] as const;
export const hypervisorKindSchema = z.enum(HYPERVISOR_KINDS);
export type HypervisorKind = z.infer<typeof hypervisorKindSchema>;

/** What the portal asks for while neither images nor flavors say which hypervisor they need. */
export const DEFAULT_HYPERVISOR: HypervisorKind = "qemu";
