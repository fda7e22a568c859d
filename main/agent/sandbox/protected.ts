import { realpath } from "node:fs/promises";
import { isAbsolute, posix } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { safeFsFailureDetails } from "../../../app/contract/safe-fs-failure";
import { GIT_HOOK_SAMPLE_SUFFIX } from "../../../app/agent/protected-paths";
import { SafeDir, pathParts, safeFsReason } from "../fs";
import { unsafeGitConfigKeys } from "./git-config";
import { scanProtected } from "./protected-scan";
import type { Inventory, ProtectedEntry, ProtectedKind } from "./protected-scan";

/**
 * The workspace's protected files (every git dir's config, commondir and hooks, gitfiles, .envrc at
 * any depth, the root rc files, .m2d): before a run each one that exists is recorded and mounted
 * read-only in the sandbox; after the run the workspace is walked again and whatever is new or
 * changed is validated. A config of plain data (what `git init` / `git clone` write) and `*.sample`
 * hooks stay, so an agent's own repository still works; everything else is removed, without
 * following any symlink (../fs), and reported. A cleanup that cannot finish fails the run.
 */

export interface ProtectedSnapshot {
  entries: ProtectedEntry[];
}

export interface ProtectedPlan {
  /** Absolute paths to mount read-only (symlinks resolved, kept only when they land inside the workspace). */
  readOnly: string[];
  snapshot: ProtectedSnapshot;
}

/** bwrap takes one --ro-bind per path; past this many, the after-run check alone guards the rest. */
export const MAX_READONLY_MOUNTS = 256;
/** Entries one removal may take (a planted hooks/ folder full of files). */
const MAX_REMOVED_ENTRIES = 100_000;

const MOUNTED: ReadonlySet<ProtectedKind> = new Set(["git-config", "git-commondir", "gitfile", "git-hooks", "rc-file", "app-dir", "tool-config"]);

const depth = (entry: ProtectedEntry) => entry.relative.split("/").length;
const byDepth = (a: ProtectedEntry, b: ProtectedEntry) => depth(a) - depth(b) || a.relative.localeCompare(b.relative);

function errorDetail(error: unknown): { path: string; detail: string } {
  const path = error instanceof AppError ? (safeFsFailureDetails(error)?.path ?? "") : "";
  return { path, detail: error instanceof Error ? error.message : String(error) };
}

async function scan(workspace: string): Promise<Inventory> {
  const root = SafeDir.openRoot(workspace);
  try {
    return await scanProtected(root);
  } finally {
    root.close();
  }
}

export async function planProtected(workspace: string): Promise<ProtectedPlan> {
  let inventory: Inventory;
  try {
    inventory = await scan(workspace);
  } catch (error) {
    const { path, detail } = errorDetail(error);
    throw new AppError("internal", `The workspace could not be checked for git and shell files before the command, so it was not run: ${detail}`, {
      reason: "protected_scan_failed",
      path,
      detail,
    });
  }
  const readOnly = new Set<string>();
  for (const entry of [...inventory.entries].sort(byDepth)) {
    if (readOnly.size >= MAX_READONLY_MOUNTS) break;
    if (!MOUNTED.has(entry.kind)) continue;
    const absolute = `${workspace}/${entry.relative}`;
    if (entry.type !== "symlink") {
      readOnly.add(absolute);
      continue;
    }
    // A symlink pointing outside needs nothing: everything outside is read-only or hidden already.
    const real = await realpath(absolute).catch(() => null);
    if (real && (real === workspace || real.startsWith(`${workspace}/`))) readOnly.add(real);
  }
  return { readOnly: [...readOnly].sort(), snapshot: { entries: inventory.entries } };
}

const identity = (entry: ProtectedEntry) => `${entry.kind}:${entry.dev}:${entry.ino}:${entry.mode}:${entry.hash ?? ""}`;

/** The workspace-relative git dir a commondir or gitfile names, or null when it leaves the workspace. */
function target(workspace: string, from: string, value: string): string | null {
  const absolute = posix.normalize(isAbsolute(value) ? value : `${workspace}/${from}/${value}`).replace(/(.)\/+$/, "$1");
  if (absolute === workspace) return "";
  return absolute.startsWith(`${workspace}/`) ? absolute.slice(workspace.length + 1) : null;
}

const parentOf = (relative: string) => (relative.includes("/") ? relative.slice(0, relative.lastIndexOf("/")) : "");

/** Why a new or changed entry must go; null when it may stay. */
function problemWith(entry: ProtectedEntry, inventory: Inventory, workspace: string): string | null {
  const pointsAtRepo = (from: string, value: string) => {
    const repo = target(workspace, from, value);
    return repo !== null && inventory.gitDirs.has(repo);
  };
  switch (entry.kind) {
    case "git-config": {
      if (entry.type !== "file") return "a git config that is not a plain file";
      if (entry.text === null) return "a git config too large to check";
      const unsafe = unsafeGitConfigKeys(entry.text);
      return unsafe.length > 0 ? `it sets ${unsafe.join(", ")}, which git would run or follow on the host` : null;
    }
    case "git-commondir": {
      const value = entry.type === "file" && entry.text !== null ? entry.text.replace(/[\r\n]+$/, "") : null;
      if (value !== null && pointsAtRepo(parentOf(entry.relative), value)) return null;
      return "it points git at config outside the repositories in the workspace";
    }
    case "gitfile": {
      const match = entry.type === "file" && entry.text !== null ? /^gitdir: (.+)$/.exec(entry.text.replace(/[\r\n]+$/, "")) : null;
      if (match?.[1] !== undefined && pointsAtRepo(parentOf(entry.relative), match[1])) return null;
      return "a .git file that does not point at a repository inside the workspace";
    }
    case "git-link":
      return "a .git symlink, which could point git anywhere";
    case "git-hooks":
      return entry.type === "dir" ? null : "a git hooks/ that is not a plain folder";
    case "git-hook":
      return entry.type === "file" && entry.relative.toLowerCase().endsWith(GIT_HOOK_SAMPLE_SUFFIX) ? null : "a git hook, which git runs on the host";
    case "rc-file":
      return "a shell start-up file, which runs on the host";
    case "app-dir":
      return "the app's own settings folder";
    case "tool-config":
      return "an editor or agent setting that can run commands on the host when that tool opens the folder";
  }
}

/** rm -r of one workspace entry, walking to it without following symlinks; a vanished one is fine. */
function remove(root: SafeDir, relative: string): void {
  const parts = pathParts(relative);
  const name = parts.pop() as string;
  let dir: SafeDir;
  try {
    dir = root.openPath(parts);
  } catch (error) {
    if (safeFsReason(error) === "not_found") return;
    throw error;
  }
  try {
    dir.removeTree(name, { entries: MAX_REMOVED_ENTRIES });
  } finally {
    dir.close();
  }
}

/**
 * Removes protected entries the run created or changed unless they are plain data; returns what it
 * removed, for the result. Throws `protected_cleanup_failed` (naming the path) when the walk or a
 * removal fails: what is left may run code on the host, so the run must not look successful.
 */
export async function enforceProtected(workspace: string, snapshot: ProtectedSnapshot): Promise<string[]> {
  const failed = (path: string, detail: string, violations: string[]) =>
    new AppError("internal", `The command left ${path || "the workspace"} in a state that could run code on the host, and it could not be cleaned up: ${detail}`, {
      reason: "protected_cleanup_failed",
      path,
      detail,
      violations,
    });
  let inventory: Inventory;
  try {
    inventory = await scan(workspace);
  } catch (error) {
    const { path, detail } = errorDetail(error);
    throw failed(path, detail, []);
  }
  const known = new Set(snapshot.entries.map(identity));
  const existed = new Set(snapshot.entries.map((entry) => entry.relative));
  const violations: string[] = [];
  const failures: { path: string; detail: string }[] = [];
  const removed: string[] = [];
  const root = SafeDir.openRoot(workspace);
  try {
    for (const entry of [...inventory.entries].sort(byDepth)) {
      if (known.has(identity(entry)) || removed.some((path) => entry.relative.startsWith(`${path}/`))) continue;
      const problem = problemWith(entry, inventory, workspace);
      if (problem === null) continue;
      try {
        remove(root, entry.relative);
        removed.push(entry.relative);
        violations.push(`${entry.relative} was ${existed.has(entry.relative) ? "replaced" : "created"} by the command and has been removed: ${problem}`);
      } catch (error) {
        failures.push({ path: entry.relative, detail: errorDetail(error).detail });
      }
    }
  } finally {
    root.close();
  }
  const first = failures[0];
  if (first) throw failed(first.path, failures.map((f) => `${f.path}: ${f.detail}`).join("; "), violations);
  return violations;
}
