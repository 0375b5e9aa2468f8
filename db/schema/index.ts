export * from "./identity";
export * from "./audit";
export * from "./roles";
export * from "./compute";
