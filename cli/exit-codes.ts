// Exit codes a script can branch on: a usage mistake (fix the command), a refusal by the portal (fix the
// request or the rights), the portal out of reach (try again later), and long work that ended badly.
export const EXIT = {
  ok: 0,
  /** The portal answered with an error (4xx/5xx): its message is on stderr. */
  refused: 1,
  /** The command line is wrong (unknown command or option, a value of the wrong type, no portal set). */
  usage: 2,
  /** No answer: the portal could not be reached (connection refused, DNS, timeout, TLS). */
  network: 3,
  /** `--wait`: the work was accepted but ended in an error (the instance or task says why). */
  failed: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and an exit code (no stack trace: it is not a bug). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Extra lines for people (the fields the portal refused, a hint). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export const usageError = (message: string, details: string[] = []) =>
  new CliError(message, EXIT.usage, details);

/** The portal's error body: `{ error, message, fieldErrors }`. */
export interface ApiErrorBody {
  error?: string;
  message?: string;
  fieldErrors?: Record<string, string> | null;
}

export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    const fields = Object.entries(body.fieldErrors ?? {}).map(([field, why]) => `  ${field}: ${why}`);
    super(body.message ?? `The portal answered ${status}.`, EXIT.refused, fields);
  }
}
