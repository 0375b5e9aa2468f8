export * from "./identity";
export * from "./audit";
export * from "./roles";
export * from "./compute";
export * from "./network";
export * from "./storage";
export * from "./volumes";
export * from "./governance";
