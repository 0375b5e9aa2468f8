// The schemas live in common/ because the browser validates forms with them too.
export * from "@/common/snapshots";
