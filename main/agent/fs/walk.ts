import type { Dirent } from "node:fs";
import type { SafeDir } from "./dir";
import { safeFsError, safeFsReason } from "./errors";

export interface WalkedDir {
  dir: SafeDir;
  /** "/"-separated, relative to the walk's root; "" for the root. */
  relative: string;
  entries: Dirent[];
}

export interface WalkOptions {
  /** More directories than this fails the walk (too_many_entries): an unbounded walk is no check. */
  maxDirectories: number;
  /** Deeper than this fails the walk too: each level holds one descriptor open. */
  maxDepth?: number;
  /** Longest stretch of synchronous work before yielding to the event loop. */
  sliceMs?: number;
}

interface Frame {
  dir: SafeDir;
  children: string[];
  next: number;
}

/**
 * Visits every directory under `root` (root included) with its typed entries, depth first, entering
 * subdirectories only through no-follow descriptors: a symlink is reported as an entry, never
 * entered. The work is synchronous readdir-with-types in slices of `sliceMs`, so a big tree costs
 * little and blocks nothing for long. An entry that vanishes mid-walk is skipped; one that turns into
 * something else fails the walk. Returns the number of directories visited.
 */
export async function walkTree(root: SafeDir, visit: (walked: WalkedDir) => void, options: WalkOptions): Promise<number> {
  const sliceMs = options.sliceMs ?? 10;
  let visited = 0;
  let sliceStart = performance.now();
  const stack: Frame[] = [];
  const maxDepth = options.maxDepth ?? 256;
  const enter = (dir: SafeDir) => {
    if (++visited > options.maxDirectories) {
      throw safeFsError("too_many_entries", `The workspace has more than ${options.maxDirectories} folders.`, dir.relative);
    }
    if (stack.length >= maxDepth) throw safeFsError("too_many_entries", `${dir.relative} is nested more than ${maxDepth} folders deep.`, dir.relative);
    const entries = dir.entries();
    visit({ dir, relative: dir.relative, entries });
    stack.push({ dir, children: entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name), next: 0 });
  };
  try {
    enter(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const name = frame.children[frame.next++];
      if (name === undefined) {
        stack.pop();
        if (frame.dir !== root) frame.dir.close();
        continue;
      }
      let child: SafeDir;
      try {
        child = frame.dir.openDir(name);
      } catch (error) {
        if (safeFsReason(error) === "not_found") continue;
        throw error;
      }
      try {
        enter(child);
      } catch (error) {
        if (stack[stack.length - 1]?.dir !== child) child.close();
        throw error;
      }
      if (performance.now() - sliceStart > sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  } finally {
    for (const frame of stack) if (frame.dir !== root) frame.dir.close();
  }
  return visited;
}
