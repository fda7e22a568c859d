/**
 * Which command names a trailing `*` in an allowlist entry may cover the arguments of. Static words
 * are data to most programs, but bash builtins read words as variable names, arithmetic (where
 * `a[$(id)]` runs `id`) or code, and wrappers and shells run their words as a command. For those,
 * only an entry that spells out every word can match.
 */

/** Every builtin of bash 5.2 (`compgen -b`); allowlist-attacks.test.ts checks the installed bash against it. */
export const BASH_BUILTINS: ReadonlySet<string> = new Set([
  ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen", "complete",
  "compopt", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export", "false",
  "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout", "mapfile", "popd",
  "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source",
  "suspend", "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
]);

/**
 * Builtins that never evaluate a word they are given: proven for this bash by the marker test in
 * main/agent/shell/allowlist-attacks.test.ts. Add one only together with that test passing.
 */
export const STAR_SAFE_BUILTINS: ReadonlySet<string> = new Set(["echo", "true", "false", ":", "pwd", "cd"]);

/** Programs that run their arguments (or input) as a command or script: `*` would cover any command at all. */
const RUNS_ITS_ARGUMENTS: ReadonlySet<string> = new Set([
  "env", "nice", "nohup", "timeout", "time", "xargs", "sudo", "doas", "su", "runuser", "pkexec", "setsid", "stdbuf",
  "chroot", "flock", "watch", "nsenter", "unshare", "strace", "ltrace", "ionice", "chrt", "taskset", "numactl",
  "prlimit", "setpriv", "capsh", "systemd-run", "script", "busybox", "parallel", "unbuffer", "fakeroot", "faketime",
  "firejail", "bwrap", "catchsegv", "valgrind", "sg", "xvfb-run", "dbus-run-session",
  // util-linux's setarch and the names it is installed under
  "setarch", "linux32", "linux64", "i386", "x86_64", "uname26",
  "chpst", "eatmydata", "torsocks", "proxychains", "proxychains4", "cpulimit", "trickle", "chronic", "ifne",
  "ssh-agent", "dbus-launch", "systemd-inhibit", "start-stop-daemon", "rlwrap",
]);

const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox-sh", "fish", "csh", "tcsh"]);

/**
 * Why a `*` may not cover the arguments of `name` (as in argv[0], after quote removal), or null
 * when it may. A name with a slash is never a builtin; wrappers and shells are known by basename.
 */
export function starRefusal(name: string): string | null {
  if (!name.includes("/") && BASH_BUILTINS.has(name) && !STAR_SAFE_BUILTINS.has(name)) {
    return `the bash builtin \`${name}\`, which can evaluate its arguments as code, variable names or arithmetic`;
  }
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (RUNS_ITS_ARGUMENTS.has(base)) return `\`${base}\`, which runs its arguments as a command`;
  if (SHELLS.has(base)) return `the shell \`${base}\`, which runs a script from its arguments or input`;
  return null;
}
