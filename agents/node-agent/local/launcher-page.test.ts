import { describe, expect, it } from "vitest";
import type { LocalProfile } from "../../protocol/local";
import { renderLauncherPage } from "./launcher-page";
import { chooseLocale } from "./launcher-text";

const profile = (over: Partial<LocalProfile> = {}): LocalProfile => ({
  id: 7,
  name: "Office <script>alert(1)</script>",
  description: `"quoted" & more`,
  public: true,
  version: 1,
  image: {
    id: "00000000-0000-4000-8000-000000000000",
    sha256: "a".repeat(64),
    format: "qcow2",
    sizeBytes: 1,
  },
  vcpus: 2,
  memoryMiB: 2048,
  diskGiB: 10,
  hardware: {
    firmware: "bios",
    diskBus: "virtio",
    nicModel: "virtio",
    usbTablet: true,
    keyboardLayout: "en-us",
  },
  ...over,
});

const view = (over: Partial<Parameters<typeof renderLauncherPage>[0]> = {}) =>
  renderLauncherPage({
    locale: "en",
    csrf: "tok",
    publicProfiles: [profile()],
    myProfiles: [],
    user: null,
    offline: false,
    running: null,
    starting: null,
    notice: null,
    ...over,
  });

describe("the launcher page", () => {
  it("escapes what the portal sent", () => {
    const html = view();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("Office &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&quot;quoted&quot; &amp; more");
  });

  it("shows the sign-in to anonymous visitors and no one's own desktops", () => {
    const html = view();
    expect(html).toContain('action="/signin"');
    expect(html).not.toContain("My desktops");
  });

  it("is in Simplified Chinese when asked, and says when the portal is unreachable", () => {
    const html = view({ locale: "zh-CN", offline: true });
    expect(html).toContain("本地桌面");
    expect(html).toContain("无法连接 eduCloud 门户");
    expect(html).toContain('lang="zh-CN"');
  });

  it("disables Start while a desktop runs and offers Stop", () => {
    const html = view({ running: { name: "Office" } });
    expect(html).toContain('action="/stop"');
    expect(html).toMatch(/<button type="submit"[^>]*disabled>Start</);
  });

  it("picks the language from the cookie, then the browser", () => {
    expect(chooseLocale("zh-CN", "en")).toBe("zh-CN");
    expect(chooseLocale(null, "zh-CN,zh;q=0.9")).toBe("zh-CN");
    expect(chooseLocale(null, "de-DE")).toBe("en");
  });
});
