import { describe, expect, it } from "vitest";
import { negotiateLocale } from "./config";

describe("negotiateLocale (the sign-in page before anyone chose a language)", () => {
  it("follows a Chinese browser", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale("zh")).toBe("zh-CN");
    expect(negotiateLocale("zh-Hans-CN")).toBe("zh-CN");
  });

  it("honours the order of preference, q-values first", () => {
    expect(negotiateLocale("en-US,en;q=0.9,zh-CN;q=0.8")).toBe("en");
    expect(negotiateLocale("en;q=0.5,zh-CN;q=0.9")).toBe("zh-CN");
    expect(negotiateLocale("fr-FR,zh-CN;q=0.7,en;q=0.3")).toBe("zh-CN");
  });

  it("falls back to English for no header, unknown languages or a refused one", () => {
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale("de-DE,fr;q=0.8")).toBe("en");
    expect(negotiateLocale("zh;q=0,de")).toBe("en");
  });
});
