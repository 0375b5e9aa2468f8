// Type-checks every t("…") key against the English messages: a typo or a missing key fails `tsc`.
// (messages/zh-CN.json must have the same keys; see the check in the UI report.)
import type en from "../messages/en.json";

declare module "next-intl" {
  interface AppConfig {
    Messages: typeof en;
  }
}
