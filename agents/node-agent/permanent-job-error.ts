/** A job that failed for a reason retrying will not change (a refusal, a bad checksum, no such hypervisor). */
export class PermanentJobError extends Error {}
