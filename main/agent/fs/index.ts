/** No-follow file operations on workspace paths, for everything the host does there (see dir.ts). */
export { SafeDir, procFdUsable } from "./dir";
export type { Resolution } from "./dir";
export { fromErrno, safeFsError, safeFsReason } from "./errors";
export type { SafeFsReason } from "./errors";
export { walkTree } from "./walk";
export type { WalkedDir, WalkOptions } from "./walk";
export { pathParts, writeFileAtomic } from "./write";
