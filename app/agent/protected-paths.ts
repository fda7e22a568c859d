/**
 * Paths inside a workspace that the agent never writes, neither through the file tools nor from the
 * sandbox: they run code later, outside the sandbox (git hooks and config, shell rc files, direnv),
 * or they hold the app's own per-workspace settings.
 */

/** Relative to the workspace root; the sandbox mounts each read-only when it exists. */
export const SANDBOX_READONLY_PATHS = [
  ".git/hooks",
  ".git/config",
  ".git/modules",
  ".m2d",
  ".bashrc",
  ".bash_profile",
  ".bash_login",
  ".bash_logout",
  ".profile",
  ".zshrc",
  ".zshenv",
  ".zprofile",
  ".zlogin",
  ".envrc",
] as const;

const PROTECTED_DIRS = new Set([".git", ".m2d"]);
const PROTECTED_NAMES = new Set<string>(SANDBOX_READONLY_PATHS.filter((p) => !p.includes("/") && p !== ".m2d"));

/**
 * Whether a workspace-relative path (already normalised, "/"-separated) is protected from writes.
 * Stricter than the sandbox list: any `.git` or `.m2d` segment, and rc files at any depth (direnv
 * loads nested .envrc files too).
 */
export function isProtectedPath(relative: string): boolean {
  const parts = relative.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => PROTECTED_DIRS.has(p.toLowerCase()))) return true;
  const base = parts[parts.length - 1];
  return base !== undefined && PROTECTED_NAMES.has(base.toLowerCase());
}
