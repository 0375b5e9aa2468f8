// Procedures map failures with the same module as every HTTP route (server/http/errors.ts).
export { toTrpcError } from "@/server/http/errors";
