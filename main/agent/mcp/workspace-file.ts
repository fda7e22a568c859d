import { createHash } from "node:crypto";
import { SafeDir, safeFsReason } from "../fs";

export const WORKSPACE_MCP_DIR = ".m2d";
export const WORKSPACE_MCP_NAME = "mcp.json";
/** Far above any real config; a bigger file is refused rather than hashed and parsed. */
const MAX_BYTES = 1 << 20;

export type WorkspaceMcpRead =
  | { kind: "absent" }
  | { kind: "refused"; message: string }
  | { kind: "file"; bytes: Buffer; sha256: string };

const REFUSED = new Set(["symlink_escape", "not_directory", "not_regular_file"]);

/**
 * `<workspace>/.m2d/mcp.json`, read through no-follow descriptors from the workspace root (SafeDir):
 * the folder could have been made by a sandboxed command, and a `.m2d` or `mcp.json` link would make
 * the app start servers from a file the workspace does not hold. The bytes read are the ones hashed
 * and parsed, so what the user approves is exactly what starts.
 */
export async function readWorkspaceMcpFile(workspace: string): Promise<WorkspaceMcpRead> {
  let root: SafeDir | null = null;
  let dir: SafeDir | null = null;
  try {
    root = SafeDir.openRoot(workspace);
    dir = root.openDir(WORKSPACE_MCP_DIR);
    const { data } = dir.readFile(WORKSPACE_MCP_NAME, MAX_BYTES);
    return { kind: "file", bytes: data, sha256: createHash("sha256").update(data).digest("hex") };
  } catch (error) {
    const reason = safeFsReason(error);
    if (reason === "not_found") return { kind: "absent" };
    const why = reason && REFUSED.has(reason) ? "is a symbolic link or not a plain folder/file: refused, since it could point anywhere" : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
    return { kind: "refused", message: `${dir ? `${WORKSPACE_MCP_DIR}/${WORKSPACE_MCP_NAME}` : WORKSPACE_MCP_DIR} ${why}` };
  } finally {
    dir?.close();
    root?.close();
  }
}
