import { closeSync } from "node:fs";
import { SafeDir, pathParts } from "../fs";

/**
 * Descriptors for the workspace paths the sandbox mounts read-only. bwrap resolves a --ro-bind
 * source by path, following symlinks, when it sets the mounts up; a process racing the run (another
 * conversation on the folder, an MCP server) could swap `.git/hooks` for a symlink to /root/.ssh in
 * between and have bwrap show that instead. So each source is opened here, walking from the
 * workspace root without following anything, and handed over by descriptor (--ro-bind-fd), which
 * bwrap closes once mounted. A path that can no longer be opened that way is not mounted; the
 * after-run check of protected.ts still covers it.
 */
export interface BindHandles {
  /** Host descriptors, in the order they are passed to the child from fd 4 on. */
  fds: number[];
  /** Absolute path → the descriptor number the child sees it under. */
  childFds: Map<string, number>;
  close(): void;
}

/** The first descriptor number after stdin, stdout, stderr and the seccomp program. */
export const FIRST_BIND_FD = 4;

export function openBindHandles(workspace: string, paths: readonly string[]): BindHandles {
  const fds: number[] = [];
  const childFds = new Map<string, number>();
  const root = SafeDir.openRoot(workspace);
  try {
    for (const path of paths) {
      if (!path.startsWith(`${workspace}/`)) continue;
      let dir: SafeDir | null = null;
      try {
        const parts = pathParts(path.slice(workspace.length + 1));
        const name = parts.pop() as string;
        dir = root.openPath(parts);
        fds.push(dir.openHandle(name));
        childFds.set(path, FIRST_BIND_FD + fds.length - 1);
      } catch {
        // gone or replaced by a symlink since the plan: left to the after-run check
      } finally {
        dir?.close();
      }
    }
  } finally {
    root.close();
  }
  return {
    fds,
    childFds,
    close: () => fds.splice(0).forEach((fd) => closeSync(fd)),
  };
}
