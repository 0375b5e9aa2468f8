import { describe, expect, it } from "vitest";
import { createFlavorInput } from "@/common/flavors";
import { createInstanceInput } from "@/common/instances";
import { validate, type ValidationT } from "./validation";

// Stands in for next-intl: the key and its values, so the test sees which text was chosen.
const t = ((key: string, values?: Record<string, unknown>) =>
  values ? `${key} ${JSON.stringify(values)}` : key) as unknown as ValidationT;

describe("validate", () => {
  it("turns an unchosen image and flavor into 'choose' texts, and uses the form's pattern text", () => {
    const r = validate(
      createInstanceInput,
      { name: "bad name", imageId: "", flavorId: undefined },
      t,
      {},
      { name: "instanceNameFormat" },
    );
    expect(r.errors).toEqual({
      name: "instanceNameFormat",
      imageId: "chooseImage",
      flavorId: "chooseFlavor",
    });
  });

  it("words number limits and non-numbers", () => {
    const r = validate(
      createFlavorInput,
      { name: "m1.tiny", vcpus: 0, memoryMiB: Number.NaN, diskGiB: undefined },
      t,
    );
    expect(r.errors).toEqual({ vcpus: 'minNumber {"min":1}', memoryMiB: "number", diskGiB: "required" });
  });

  it("passes valid input through the schema", () => {
    const r = validate(createFlavorInput, { name: "m1.tiny", vcpus: 1, memoryMiB: 256, diskGiB: 1 }, t);
    expect(r.errors).toBeNull();
    expect(r.data).toEqual({ name: "m1.tiny", vcpus: 1, memoryMiB: 256, diskGiB: 1 });
  });
});
