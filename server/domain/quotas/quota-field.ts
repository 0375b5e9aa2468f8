// A quota refusal placed beside the form field that asked for the amount (a volume's size): the form
// shows the sentence above and a short note at the field, as for any other invalid value.
import { msg, type Message } from "@/common/message";
import { DomainError } from "../errors";

export async function refusingAtField<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== "quotas.exceeded") throw err;
    const { limit, used } = err.params as { limit: number; used: number };
    throw new DomainError(err.kind, { code: err.code, params: err.params } as Message, {
      [field]: msg("quotas.fieldExceeded", { limit, used }),
    });
  }
}
