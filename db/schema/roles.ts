// Roles are client-safe (forms and navigation use them), so they live in common/.
export * from "@/common/roles";
