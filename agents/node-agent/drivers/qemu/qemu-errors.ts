// Errors the QEMU driver throws on purpose; the agent's job handlers turn their messages into the
// task's error text, so each one says what is wrong and, where it can, what to do.

/** The spec, id or a path cannot be used (bad id, ',' in a path, socket path too long...). */
export class InvalidVmConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidVmConfigError";
  }
}

/** No run directory / spec.json for this id on this host. */
export class VmNotFoundError extends Error {
  constructor(readonly vmId: string) {
    super(`no VM ${vmId} on this host`);
    this.name = "VmNotFoundError";
  }
}

/** The operation needs a running QEMU process and there is none. */
export class VmNotRunningError extends Error {
  constructor(
    readonly vmId: string,
    action: string,
  ) {
    super(`cannot ${action} VM ${vmId}: it is not running`);
    this.name = "VmNotRunningError";
  }
}

/** QEMU is still there after every way of stopping it, SIGKILL included. */
export class VmStopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VmStopError";
  }
}
