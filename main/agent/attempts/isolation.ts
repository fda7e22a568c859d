import { copyFile, constants, lstat, mkdir, readdir, readlink, rename, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../app/contract/errors";
import type { AttemptIsolation } from "../../../app/contract/attempts-api";
import { GIT_DIR_NAME } from "../../../app/agent/protected-paths";
import { assertSafeRepoConfig, hostGit } from "./host-git";

/**
 * Each attempt's own copy of the workspace: a detached `git worktree` at HEAD for a clean git workspace, else a
 * plain copy. Copies never follow a symlink (links are copied as links, other special files skipped) and leave
 * out the repository's `.git`, so nothing the workspace or a model planted redirects the host.
 */

/** Folders a copy leaves out: the repository itself (its config and hooks are no attempt's business). */
const NOT_COPIED = new Set([GIT_DIR_NAME]);

async function isGitRoot(root: string): Promise<boolean> {
  const dotGit = await lstat(join(root, GIT_DIR_NAME)).catch(() => null);
  if (!dotGit?.isDirectory()) return false;
  const top = await hostGit(root, ["rev-parse", "--show-toplevel"]).catch(() => "");
  return top.trim() === root;
}

/**
 * How a run on `root` isolates its attempts. A git root gets worktrees, but only when clean (a worktree at HEAD
 * would lack the uncommitted changes): otherwise the run is refused with the offer of a copy.
 */
export async function chooseIsolation(root: string, requested: AttemptIsolation | undefined): Promise<AttemptIsolation> {
  if (requested === "copy") return "copy";
  if (!(await isGitRoot(root))) {
    if (requested === "worktree") throw new AppError("bad_request", "The workspace is not a git repository, so it cannot get worktrees; use isolation \"copy\".", { reason: "not_git_repository" });
    return "copy";
  }
  await assertSafeRepoConfig(root);
  const status = await hostGit(root, ["status", "--porcelain", "--untracked-files=normal"]);
  if (status.trim() !== "") {
    const files = status.split("\n").filter(Boolean).length;
    throw new AppError(
      "bad_request",
      `The workspace has ${files} uncommitted change${files === 1 ? "" : "s"}: worktrees start at HEAD and would not have them. Commit or stash them, or run with isolation "copy" to copy the folder as it is.`,
      { reason: "dirty_tree", offer: "copy" },
    );
  }
  return "worktree";
}

/** Makes `dir` (which must not exist) a copy of `root`; a failure says whether the disk was full. */
export async function createIsolatedCopy(root: string, dir: string, isolation: AttemptIsolation): Promise<void> {
  try {
    if (isolation === "worktree") {
      await hostGit(root, ["worktree", "add", "--detach", dir, "HEAD"], 300_000);
    } else {
      await copyTree(root, dir);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw isolationError(error);
  }
}

export function isolationError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  const full = (error as NodeJS.ErrnoException).code === "ENOSPC" || /No space left on device/i.test(message);
  return new AppError("internal", full ? `The disk is full: ${message}` : `Could not make the attempt's copy: ${message}`, { reason: full ? "disk_full" : "isolation_failed" });
}

/** Copies a folder without following links: a symlink becomes the same symlink, a fifo or socket is skipped. */
export async function copyTree(from: string, to: string, skip: ReadonlySet<string> = NOT_COPIED): Promise<void> {
  await mkdir(to, { recursive: false, mode: 0o755 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await copyTree(source, target, new Set());
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isFile()) await copyFile(source, target, constants.COPYFILE_EXCL);
  }
}

/** Moves an attempt's copy to `to` (which must not exist); git moves a worktree, so the repository still knows it. */
export async function moveIsolatedCopy(root: string, from: string, to: string, isolation: AttemptIsolation): Promise<void> {
  if (isolation === "worktree") await hostGit(root, ["worktree", "move", from, to]);
  else await rename(from, to);
}

/** Removes an attempt's copy; a worktree is unregistered from the repository too. */
export async function removeIsolatedCopy(root: string, dir: string, isolation: AttemptIsolation): Promise<void> {
  if (isolation === "worktree") {
    await hostGit(root, ["worktree", "remove", "--force", dir]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
  if (isolation === "worktree") await hostGit(root, ["worktree", "prune"]).catch(() => undefined);
}
