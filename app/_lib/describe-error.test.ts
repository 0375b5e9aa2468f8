import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeError, type ErrorsT } from "./describe-error";
import { TusError } from "./tus-upload";
import { placeErrors } from "./use-form-dialog";

const t = ((key: string) => `[${key}]`) as unknown as ErrorsT;

function trpcError(message: string, data: { code: string; httpStatus: number; fieldErrors?: object }) {
  const err = new TRPCClientError(message);
  Object.assign(err, { data });
  return err;
}

describe("describeError", () => {
  it("a refusal is final: no retry for 403, 404, 409 or invalid input", () => {
    for (const [code, httpStatus] of [
      ["FORBIDDEN", 403],
      ["NOT_FOUND", 404],
      ["CONFLICT", 409],
      ["BAD_REQUEST", 400],
    ] as const) {
      expect(describeError(trpcError("No.", { code, httpStatus }), t).retryable).toBe(false);
    }
  });

  it("a failure that may pass offers retry: an outage, a server error, no answer at all", () => {
    expect(
      describeError(trpcError("Down.", { code: "SERVICE_UNAVAILABLE", httpStatus: 503 }), t).retryable,
    ).toBe(true);
    expect(
      describeError(trpcError("Boom.", { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 }), t).retryable,
    ).toBe(true);
    const offline = describeError(new TRPCClientError("fetch failed"), t);
    expect(offline).toMatchObject({ retryable: true, message: "[network]" });
  });

  it("reads the upload routes' JSON body like a tRPC error", () => {
    const err = new TusError("HTTP 400", 400, { message: "Bad name.", fieldErrors: { name: "Too long." } });
    expect(describeError(err, t)).toMatchObject({
      message: "Bad name.",
      fieldErrors: { name: "Too long." },
      invalidInput: true,
      retryable: false,
    });
  });
});

describe("placeErrors", () => {
  it("invalid input: the fields say it, nothing generic above the form", () => {
    const placed = placeErrors(
      {
        message: "Some fields are not valid.",
        fieldErrors: { name: "At most 64 characters." },
        invalidInput: true,
      },
      ["name"],
    );
    expect(placed).toEqual({ fieldErrors: { name: "At most 64 characters." }, message: null });
  });

  it("an error for a field the form does not show goes above the form, not lost", () => {
    const placed = placeErrors(
      {
        message: "Some fields are not valid.",
        fieldErrors: { instanceId: "Invalid UUID." },
        invalidInput: true,
      },
      ["name"],
    );
    expect(placed).toEqual({ fieldErrors: {}, message: "Some fields are not valid. Invalid UUID." });
  });

  it("a conflict keeps its sentence above the form and its field note beside the field", () => {
    const placed = placeErrors(
      {
        message: "A flavor named m1 already exists.",
        fieldErrors: { name: "This name is taken." },
        invalidInput: false,
      },
      ["name"],
    );
    expect(placed).toEqual({
      fieldErrors: { name: "This name is taken." },
      message: "A flavor named m1 already exists.",
    });
  });
});
