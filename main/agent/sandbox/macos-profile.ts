/**
 * A sandbox-exec (Seatbelt) profile of the same shape as the bwrap sandbox: read the system, not the
 * home folder or shared temp; write only the workspace (minus its protected paths) and a private
 * temp folder; no network unless enabled. Only allow rules, so rule order cannot matter.
 * Not run in CI (Linux): its text is unit-tested.
 */

export interface SeatbeltPlan {
  /** Real paths (macOS: /private/var/…, not /var/…). */
  workspace: string;
  home: string;
  /** A fresh folder for this run, standing in for the tmpfs /tmp. */
  tmpDir: string;
  network: boolean;
  /** Workspace-relative protected paths. */
  protectedPaths: readonly string[];
}

export function sbplString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `(require-all (subpath base) (require-not (subpath x))…)`: base minus the excluded subtrees. */
function subpathExcept(base: string, excluded: readonly string[]): string {
  const nots = excluded.map((p) => `\n    (require-not (subpath ${sbplString(p)}))`).join("");
  return `(require-all (subpath ${sbplString(base)})${nots})`;
}

export function seatbeltProfile(plan: SeatbeltPlan): string {
  const ws = plan.workspace;
  const hidden = [plan.home, "/private/tmp", "/private/var/tmp", "/private/var/folders", "/Volumes"];
  const lines = [
    "(version 1)",
    "(deny default)",
    "(allow process-exec process-fork)",
    "(allow signal (target same-sandbox))",
    "(allow sysctl-read)",
    '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo"))',
    "; the system read-only, without the home folder, shared temp folders or mounted volumes",
    `(allow file-read* ${subpathExcept("/", hidden)})`,
    `(allow file-read* (subpath ${sbplString(ws)}) (subpath ${sbplString(plan.tmpDir)}))`,
    "; writes: the workspace minus its protected paths, and the private temp folder",
    `(allow file-write* ${subpathExcept(ws, plan.protectedPaths.map((p) => `${ws}/${p}`))})`,
    `(allow file-write* (subpath ${sbplString(plan.tmpDir)}))`,
    '(allow file-write-data (literal "/dev/null") (literal "/dev/zero"))',
    '(allow file-read* file-write-data (literal "/dev/stdout") (literal "/dev/stderr"))',
  ];
  if (plan.network) lines.push("(allow network*)", "(allow system-socket)");
  else lines.push("; no network rule: network-outbound (TCP, UDP and unix sockets) stays denied");
  return `${lines.join("\n")}\n`;
}

export interface SandboxExecPlan extends SeatbeltPlan {
  sandboxExec: string;
  shell: string;
  command: string;
  memoryBytes: number;
  maxProcesses: number;
}

/** The argv for macOS; limits through the shell's ulimit, as prlimit does not exist there. */
export function sandboxExecArgv(plan: SandboxExecPlan): string[] {
  const kib = Math.floor(plan.memoryBytes / 1024);
  const limits = `ulimit -c 0; ulimit -d ${kib} 2>/dev/null; ulimit -u ${plan.maxProcesses} 2>/dev/null; exec ${plan.shell} -c "$1"`;
  return [plan.sandboxExec, "-p", seatbeltProfile(plan), plan.shell, "-c", limits, "m2d-sandbox", plan.command];
}
