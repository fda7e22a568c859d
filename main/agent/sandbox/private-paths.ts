import { realpathSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Host paths no sandbox of this process may see: the app's data dir (m2d.sqlite with the settings and
 * the Hub token, checkpoints, mcp.json), wherever --data-dir points, even inside a workspace or under a
 * folder the sandbox shows read-only. Process-wide because a process has one data dir and every sandbox
 * it starts (run_command, MCP servers, check_page) must hide it: registering once covers them all.
 */
const paths = new Set<string>();

export function hideFromSandboxes(path: string): void {
  const absolute = resolve(path);
  paths.add(absolute);
  // Both spellings: bwrap mounts by the path it is given, and the real one is what a workspace resolves to.
  try {
    paths.add(realpathSync(absolute));
  } catch {
    // not created yet: the absolute path is what will be created
  }
}

export function privateHostPaths(): string[] {
  return [...paths].sort();
}

/** Whether `path` (absolute, real) is one of them or inside one. */
export function isPrivateHostPath(path: string): boolean {
  return [...paths].some((p) => path === p || path.startsWith(`${p}/`));
}
