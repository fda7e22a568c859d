import { lstat, realpath, rm } from "node:fs/promises";
import { join, sep } from "node:path";
import { SANDBOX_READONLY_PATHS } from "../../../app/agent/protected-paths";

/**
 * The workspace's protected paths (git hooks and config, rc files, .m2d): mounted read-only in the
 * sandbox where they exist, and checked after each run, since a command can still create one that
 * did not exist or move a parent folder aside and put its own in place.
 */

interface Identity {
  dev: number;
  ino: number;
  mode: number;
}

export type ProtectedSnapshot = Map<string, Identity | null>;

export interface ProtectedPlan {
  /** Absolute paths to mount read-only (symlinks resolved, kept only when they land inside the workspace). */
  readOnly: string[];
  snapshot: ProtectedSnapshot;
}

async function identity(path: string): Promise<Identity | null> {
  try {
    const s = await lstat(path);
    return { dev: s.dev, ino: s.ino, mode: s.mode };
  } catch {
    return null;
  }
}

export async function planProtected(workspace: string): Promise<ProtectedPlan> {
  const readOnly = new Set<string>();
  const snapshot: ProtectedSnapshot = new Map();
  for (const relative of SANDBOX_READONLY_PATHS) {
    const path = join(workspace, relative);
    const id = await identity(path);
    snapshot.set(relative, id);
    if (!id) continue;
    // A symlink pointing outside needs nothing: everything outside is read-only or hidden already.
    const real = await realpath(path).catch(() => null);
    if (real && (real === workspace || real.startsWith(workspace + sep))) readOnly.add(real);
  }
  return { readOnly: [...readOnly].sort(), snapshot };
}

/** Removes protected paths that the run created or replaced; returns what it removed, for the result. */
export async function enforceProtected(workspace: string, snapshot: ProtectedSnapshot): Promise<string[]> {
  const violations: string[] = [];
  for (const [relative, before] of snapshot) {
    const path = join(workspace, relative);
    const after = await identity(path);
    if (!after) continue;
    if (before && before.dev === after.dev && before.ino === after.ino && before.mode === after.mode) continue;
    await rm(path, { recursive: true, force: true });
    violations.push(`${relative} was ${before ? "replaced" : "created"} by the command and has been removed`);
  }
  return violations;
}
