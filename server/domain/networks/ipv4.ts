// Moved to common/ so the browser can use the same checks; kept so server imports stay short.
export * from "@/common/ipv4";
