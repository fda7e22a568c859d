export * from "./errors";
export * from "./engine-status";
export * from "./api";
export * from "./wire";
export * from "./engine-protocol";
export * from "./model";
export * from "./generation";
export * from "./model-invalid";
