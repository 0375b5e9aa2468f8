// The table is client-safe (the UI hides what a role cannot do), so it lives in common/.
export * from "@/common/permissions";
