import { createHash } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { lstat, open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";

export const WORKSPACE_MCP_DIR = ".m2d";
export const WORKSPACE_MCP_NAME = "mcp.json";
/** Far above any real config; a bigger file is refused rather than hashed and parsed. */
const MAX_BYTES = 1 << 20;

export type WorkspaceMcpRead =
  | { kind: "absent" }
  | { kind: "refused"; message: string }
  | { kind: "file"; bytes: Buffer; sha256: string };

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
/** Linux: /proc/self/fd/N/<name> resolves <name> inside the open folder N itself, like openat(2). */
const PROC_FD = process.platform === "linux" && existsSync("/proc/self/fd");

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

const LINK = "is a symbolic link (or not a plain folder/file): refused, since it could point anywhere";

/**
 * `<workspace>/.m2d/mcp.json`, read without following a link at either step: the folder could have
 * been made by a sandboxed command, and a `.m2d` or `mcp.json` link would make the app start servers
 * from a file the workspace does not hold. The bytes read are the ones hashed and parsed.
 */
export async function readWorkspaceMcpFile(workspace: string): Promise<WorkspaceMcpRead> {
  const dirPath = join(workspace, WORKSPACE_MCP_DIR);
  let dir: FileHandle;
  try {
    dir = await open(dirPath, constants.O_RDONLY | DIRECTORY | NOFOLLOW);
  } catch (error) {
    if (code(error) === "ENOENT") return { kind: "absent" };
    if (code(error) === "ELOOP" || code(error) === "ENOTDIR") return { kind: "refused", message: `${WORKSPACE_MCP_DIR} ${LINK}` };
    return { kind: "refused", message: `${WORKSPACE_MCP_DIR} cannot be opened (${code(error) ?? String(error)})` };
  }
  try {
    const before = await dir.stat();
    const filePath = PROC_FD ? `/proc/self/fd/${dir.fd}/${WORKSPACE_MCP_NAME}` : join(dirPath, WORKSPACE_MCP_NAME);
    let file: FileHandle;
    try {
      file = await open(filePath, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
    } catch (error) {
      if (code(error) === "ENOENT") return { kind: "absent" };
      if (code(error) === "ELOOP") return { kind: "refused", message: `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME} ${LINK}` };
      return { kind: "refused", message: `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME} cannot be opened (${code(error) ?? String(error)})` };
    }
    try {
      if (!PROC_FD) {
        // Without openat: the folder must still be the one opened, so no link was swapped in meanwhile.
        const now = await lstat(dirPath).catch(() => null);
        if (!now || now.isSymbolicLink() || now.ino !== before.ino || now.dev !== before.dev) {
          return { kind: "refused", message: `${WORKSPACE_MCP_DIR} changed while it was read: refused` };
        }
      }
      const stat = await file.stat();
      if (!stat.isFile()) return { kind: "refused", message: `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME} ${LINK}` };
      if (stat.size > MAX_BYTES) return { kind: "refused", message: `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME} is larger than ${MAX_BYTES} bytes` };
      const bytes = await file.readFile();
      if (bytes.length > MAX_BYTES) return { kind: "refused", message: `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME} is larger than ${MAX_BYTES} bytes` };
      return { kind: "file", bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
  }
}
