import { realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, sep } from "node:path";
import { AppError } from "../../app/contract/errors";

/** Folders too broad to hand to the agent read-write: the sandbox would expose what it hides. */
const TOO_BROAD = new Set([
  "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin",
  "/srv", "/sys", "/tmp", "/usr", "/var", "/var/tmp", "/Users", "/System", "/Library", "/Applications", "/private",
  "/private/tmp", "/private/var",
]);

/**
 * The canonical workspace root: an existing directory, resolved through symlinks, that is neither a
 * system folder nor the user's home or one of its ancestors.
 */
export async function resolveWorkspaceRoot(path: string): Promise<string> {
  if (!isAbsolute(path)) throw new AppError("bad_request", "The workspace must be an absolute path.", { reason: "workspace_not_absolute", path });
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new AppError("bad_request", "The workspace folder does not exist.", { reason: "workspace_missing", path });
  }
  if (!(await stat(real)).isDirectory()) {
    throw new AppError("bad_request", "The workspace is not a folder.", { reason: "workspace_not_directory", path: real });
  }
  const home = await realpath(homedir()).catch(() => homedir());
  if (TOO_BROAD.has(real) || real === home || home.startsWith(real + sep) || /^[A-Za-z]:\\?$/.test(real)) {
    throw new AppError("bad_request", `${real} is too broad to be a workspace: pick a project folder.`, { reason: "workspace_too_broad", path: real });
  }
  return real;
}
