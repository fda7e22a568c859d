import { lstat, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, normalize } from "node:path";
import { MASKED_DIRS, MASKED_FILES, TMPFS_DIRS } from "./bwrap-args";
import { privateHostPaths } from "./private-paths";

/**
 * Extra host paths a sandbox shows read-only (`readOnlyPaths`) are bound AFTER the masks and tmpfs
 * mounts, from the host's own tree: a path that is, holds or lies inside something the sandbox hides
 * would show it again. One vetting for every sandbox (run_command and sandboxed MCP servers).
 */

export interface RefusedPath {
  path: string;
  reason: string;
}

/** Per home folder: what holds credentials, relative to the home. */
const HOME_SECRETS = [
  ".ssh",
  ".gnupg",
  ".aws",
  ".azure",
  ".kube",
  ".docker",
  ".netrc",
  ".git-credentials",
  ".gitconfig",
  ".npmrc",
  ".pypirc",
  ".vault-token",
  ".password-store",
  ".pki",
  ".mozilla",
  ".terraform.d",
  ".cargo/credentials",
  ".cargo/credentials.toml",
  ".config/gh",
  ".config/hub",
  ".config/gcloud",
  ".config/git",
  ".config/google-chrome",
  ".config/chromium",
  ".local/share/keyrings",
  ".bash_history",
  ".zsh_history",
];

/** Trees the sandbox has its own of (or none): never bound from the host, in part or as a whole. */
const HOST_ONLY_TREES = ["/proc", "/sys", "/dev", "/run", "/var/run"];

const inside = (path: string, root: string) => root === "/" || path === root || path.startsWith(`${root}/`);
/** `path` is `other`, lies inside it, or holds it. */
const overlaps = (path: string, other: string) => inside(path, other) || inside(other, path);

/** The home folder `path` lies in (the user's, /root, or /home/<name>), if any. */
function homeOf(path: string): string | null {
  const home = homedir();
  if (inside(path, home)) return home;
  if (inside(path, "/root")) return "/root";
  const user = /^\/home\/[^/]+/.exec(path);
  return user ? user[0] : null;
}

/** Why the sandbox must not show the real path `path`, or null when it may. */
export function hiddenReason(path: string, options: { workspace?: string } = {}): string | null {
  if (path === "/") return "it is the whole host";
  const tree = HOST_ONLY_TREES.find((t) => overlaps(path, t));
  if (tree) return `the sandbox has its own ${tree}; the host's is not shown`;
  const masked = [...MASKED_FILES, ...MASKED_DIRS].find((m) => overlaps(path, m));
  if (masked) return `the sandbox masks ${masked}`;
  const data = privateHostPaths().find((p) => overlaps(path, p));
  if (data) return `${data} holds the app's data (settings, the Hub token), which no sandbox sees`;
  const home = homeOf(path);
  if (home === path) return `${home} is a home folder, which the sandbox replaces with an empty one (show the folders you need inside it instead)`;
  const secret = home ? HOME_SECRETS.map((s) => `${home}/${s}`).find((s) => overlaps(path, s)) : undefined;
  if (secret) return `${secret} holds credentials`;
  const emptied = [...TMPFS_DIRS, homedir()].find((dir) => inside(dir, path));
  if (emptied) return `the sandbox replaces ${emptied} with an empty folder (show the folders you need inside it instead)`;
  if (options.workspace && inside(path, options.workspace)) {
    return "it is inside the workspace, which the sandbox shows anyway (and a command there could swap it for a link)";
  }
  return null;
}

/**
 * The paths that may be shown, by real path (a missing one is left out: there is nothing to show), and
 * the ones refused with why. Callers report the refused ones: a config that asks for them is wrong.
 */
export async function vetReadOnlyPaths(paths: readonly string[], options: { workspace?: string } = {}): Promise<{ paths: string[]; refused: RefusedPath[] }> {
  const shown: string[] = [];
  const refused: RefusedPath[] = [];
  for (const path of paths) {
    if (!isAbsolute(path)) {
      refused.push({ path, reason: "it is not an absolute path" });
      continue;
    }
    // As written and as resolved: /proc/1/root or a link can name the host by another path.
    const written = hiddenReason(normalize(path), options);
    if (written) {
      refused.push({ path, reason: written });
      continue;
    }
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") refused.push({ path, reason: `it cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      continue;
    }
    const reason = hiddenReason(real, options) ?? ((await lstat(real)).isSocket() ? "it is a socket: a sandbox could talk to the program behind it" : null);
    if (reason) refused.push({ path, reason: real === path ? reason : `it is ${real}: ${reason}` });
    else shown.push(real);
  }
  return { paths: shown, refused };
}

/** One line for a problem or an error message. */
export function describeRefused(refused: readonly RefusedPath[]): string {
  return refused.map((r) => `readOnlyPaths ${r.path} is refused: ${r.reason}`).join("; ");
}
