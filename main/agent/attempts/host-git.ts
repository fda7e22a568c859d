import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { GIT_CONFIG_FILES, GIT_DIR_NAME } from "../../../app/agent/protected-paths";
import { unsafeGitConfigKeys } from "../sandbox/git-config";

/**
 * Git run by the host (not the sandbox) on the user's repository, to make and remove attempt worktrees.
 * A repository's own config can run code (core.fsmonitor, filters, hooks): the host runs git only on a repo
 * whose config holds nothing but data (the sandbox's own safe-key list), with system and global configs off and
 * hooks and fsmonitor disabled on the command line. It never runs git inside an attempt's copy, whose `.git`
 * file the model could have replaced.
 */
const SAFE_FLAGS = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "-c", "protocol.allow=never"];

const SAFE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

export function hostGit(cwd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", [...SAFE_FLAGS, ...args], { cwd, env: SAFE_ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new AppError("internal", `git ${args[0] ?? ""} failed: ${(stderr || error.message).trim()}`, { reason: "git_failed" }));
      else resolve(stdout);
    });
  });
}

/** Refuses a repository whose own config could make the host's git run code. */
export async function assertSafeRepoConfig(root: string): Promise<void> {
  for (const name of GIT_CONFIG_FILES) {
    const text = await readFile(join(root, GIT_DIR_NAME, name), "utf8").catch(() => null);
    if (text === null) continue;
    const unsafe = unsafeGitConfigKeys(text);
    if (unsafe.length > 0) {
      throw new AppError("bad_request", `The repository's .git/${name} sets ${unsafe.join(", ")}, which could run code when git makes a worktree; use isolation "copy".`, {
        reason: "unsafe_git_config",
        keys: unsafe,
      });
    }
  }
}
