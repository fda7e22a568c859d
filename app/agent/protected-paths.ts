/**
 * Paths inside a workspace that the agent never writes, neither through the file tools nor from the
 * sandbox: they run code later, outside the sandbox (git hooks and config, shell rc files, direnv),
 * or they hold the app's own per-workspace settings.
 */

/** Shell start-up files, protected at the workspace root (the workspace may be someone's home). */
export const ROOT_RC_FILES = [".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin"] as const;
/** Loaded from any folder you cd into (direnv), so protected at any depth. */
export const ANY_DEPTH_RC_FILES = [".envrc"] as const;
/** The app's per-workspace settings folder. */
export const APP_DIR = ".m2d";
/**
 * Other tools' per-folder settings that run commands on the host when that tool opens the folder:
 * VS Code tasks and launch configs, JetBrains run configurations, Claude Code's hooks and project MCP
 * servers, a git config read when the folder is someone's home. Protected at the workspace root, as
 * Claude Code's sandbox-runtime always denies writes to them.
 */
export const ROOT_TOOL_CONFIGS = [".vscode", ".idea", ".claude", ".mcp.json", ".gitconfig"] as const;

/**
 * What makes a folder a git dir to protect, and the parts of one that make git run code or read
 * config from elsewhere. Names compare case-insensitively (git on macOS does too).
 */
export const GIT_DIR_NAME = ".git";
export const GIT_HEAD = "HEAD";
export const GIT_CONFIG_FILES = ["config", "config.worktree"] as const;
export const GIT_COMMONDIR_FILE = "commondir";
export const GIT_HOOKS_DIR = "hooks";
export const GIT_WORKTREES_DIR = "worktrees";
/** Hooks that git ships disabled; a hook is anything else in hooks/. */
export const GIT_HOOK_SAMPLE_SUFFIX = ".sample";

/**
 * Git config keys a new or changed config in the workspace may set and be kept: plain data that
 * `git init`, `git clone`, `git submodule` and `git sparse-checkout` write. Everything else (core.fsmonitor,
 * core.pager, core.hooksPath, core.sshCommand, filter.*, include*, alias.*, diff.*.textconv,
 * credential.*, gpg.*, remote.*.uploadpack…) can run code on the host, or is not needed to keep.
 * `*` stands for any subsection. URLs are checked further (no `transport::` helpers such as ext::).
 */
export const SAFE_GIT_CONFIG_KEYS = [
  "core.repositoryformatversion",
  "core.filemode",
  "core.bare",
  "core.logallrefupdates",
  "core.ignorecase",
  "core.symlinks",
  "core.precomposeunicode",
  "core.autocrlf",
  "core.eol",
  "core.sparsecheckout",
  "core.sparsecheckoutcone",
  "remote.*.url",
  "remote.*.pushurl",
  "remote.*.fetch",
  "remote.*.tagopt",
  "remote.*.prune",
  "remote.*.mirror",
  "remote.*.promisor",
  "remote.*.partialclonefilter",
  "branch.*.remote",
  "branch.*.merge",
  "branch.*.rebase",
  "user.name",
  "user.email",
  "init.defaultbranch",
  "submodule.*.url",
  "submodule.*.active",
  "lfs.repositoryformatversion",
] as const;
/** Sections whose every key is data (repository format extensions). */
export const SAFE_GIT_CONFIG_SECTIONS = ["extensions"] as const;
export const GIT_URL_KEYS = ["remote.*.url", "remote.*.pushurl", "submodule.*.url"] as const;

/**
 * Relative to the workspace root: the fixed list the macOS sandbox profile denies writes to (it has
 * no per-run scan). On Linux every git dir the workspace holds is found and protected instead.
 */
export const SANDBOX_READONLY_PATHS = [".git/hooks", ".git/config", ".git/modules", APP_DIR, ...ROOT_TOOL_CONFIGS, ...ROOT_RC_FILES, ...ANY_DEPTH_RC_FILES] as const;

const PROTECTED_DIRS = new Set([GIT_DIR_NAME, APP_DIR]);
const PROTECTED_NAMES = new Set<string>([...ROOT_RC_FILES, ...ANY_DEPTH_RC_FILES, GIT_HEAD.toLowerCase()]);
const PROTECTED_AT_ROOT = new Set<string>(ROOT_TOOL_CONFIGS);

/**
 * Whether a workspace-relative path (already normalised, "/"-separated) is protected from writes.
 * Stricter than the sandbox list: any `.git` or `.m2d` segment, other tools' settings at the root,
 * rc files at any depth (direnv loads nested .envrc files too), and a file named HEAD (it would make
 * its folder a git dir).
 */
export function isProtectedPath(relative: string): boolean {
  const parts = relative.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => PROTECTED_DIRS.has(p.toLowerCase()))) return true;
  if (parts[0] !== undefined && PROTECTED_AT_ROOT.has(parts[0].toLowerCase())) return true;
  const base = parts[parts.length - 1];
  return base !== undefined && PROTECTED_NAMES.has(base.toLowerCase());
}
