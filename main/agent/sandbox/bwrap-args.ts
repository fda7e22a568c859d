/** The bubblewrap command line: pure, so its shape is unit-tested apart from running it. */

export const SANDBOX_HOME = "/home/agent";
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Host folders replaced by empty tmpfs: home folders, temp files, runtime sockets (D-Bus, Docker, X11). */
export const TMPFS_DIRS = ["/tmp", "/var/tmp", "/run", "/home", "/root"] as const;

/** Root-owned secrets that a sandbox running as host root could otherwise read: passwords, keys, saved credentials. */
export const MASKED_FILES = [
  "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd",
  "/etc/krb5.keytab", "/etc/ipsec.secrets", "/etc/ppp/chap-secrets", "/etc/ppp/pap-secrets",
] as const;
export const MASKED_DIRS = [
  "/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private", "/etc/wireguard", "/etc/NetworkManager/system-connections",
  "/var/backups", "/var/lib/sudo", "/var/spool/cron", "/var/lib/docker", "/var/lib/containerd", "/var/lib/libvirt",
] as const;

export interface BwrapPlan {
  bwrap: string;
  prlimit: string;
  shell: string;
  workspace: string;
  command: string;
  network: boolean;
  memoryBytes: number;
  maxProcesses: number;
  /** Existing paths inside the workspace to mount read-only over the read-write workspace. */
  readOnlyInWorkspace: string[];
  /** For those of them opened beforehand (bind-handles.ts): the child's descriptor, mounted with --ro-bind-fd. */
  readOnlyFds?: ReadonlyMap<string, number>;
  /** Existing host files and folders from MASKED_* to hide. */
  maskedFiles: string[];
  maskedDirs: string[];
  /** Existing host paths to show read-only after the tmpfs mounts. */
  extraReadOnly: string[];
  /** bwrap >= 0.8: no nested user namespaces (the kernel surface they open) inside the sandbox. */
  disableUserns: boolean;
  /** Descriptor the seccomp program (seccomp.ts) is read from, or null for none. */
  seccompFd: number | null;
  /** False: the workspace is mounted read-only too (Read-only mode for sandboxed MCP servers). */
  workspaceWritable?: boolean;
  /**
   * Host paths replaced by an empty read-only tmpfs, mounted last so that they win over the workspace
   * bind: the app's data dir (database, Hub token, checkpoints), wherever it is.
   */
  hiddenPaths?: string[];
  /** Size cap of each tmpfs the sandbox writes to (/tmp, home…): their pages are memory. */
  tmpfsBytes?: number;
}

export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = [plan.bwrap, "--die-with-parent", "--new-session", "--unshare-all"];
  if (plan.disableUserns) args.push("--unshare-user", "--disable-userns");
  if (plan.network) args.push("--share-net");
  args.push("--cap-drop", "ALL", "--clearenv");
  if (plan.seccompFd !== null) args.push("--seccomp", String(plan.seccompFd));
  const size = plan.tmpfsBytes !== undefined ? ["--size", String(plan.tmpfsBytes)] : [];
  // /dev is bwrap's own tmpfs: read-only, so that only the size-capped /dev/shm takes writes.
  args.push("--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", ...size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  for (const dir of TMPFS_DIRS) args.push(...size, "--tmpfs", dir);
  for (const file of plan.maskedFiles) args.push("--ro-bind", "/dev/null", file);
  for (const dir of plan.maskedDirs) args.push("--tmpfs", dir, "--remount-ro", dir);
  for (const path of plan.extraReadOnly) args.push("--ro-bind", path, path);
  args.push("--dir", SANDBOX_HOME);
  // Later mounts win: the workspace goes over the tmpfs, then its protected paths over it. A hidden
  // path that holds the workspace is hidden before it is bound; any other is hidden after, so that
  // it stays hidden inside the workspace too.
  const hidden = plan.hiddenPaths ?? [];
  const holdsWorkspace = (path: string) => plan.workspace === path || plan.workspace.startsWith(`${path}/`);
  const hide = (path: string) => args.push("--tmpfs", path, "--remount-ro", path);
  // Made read-only only after the bind, which has to create the workspace's parents on it.
  const holders = hidden.filter(holdsWorkspace);
  for (const path of holders) args.push("--tmpfs", path);
  args.push(plan.workspaceWritable === false ? "--ro-bind" : "--bind", plan.workspace, plan.workspace);
  for (const path of holders) args.push("--remount-ro", path);
  for (const path of plan.readOnlyInWorkspace) {
    const fd = plan.readOnlyFds?.get(path);
    args.push(...(fd === undefined ? ["--ro-bind", path] : ["--ro-bind-fd", String(fd)]), path);
  }
  hidden.filter((path) => !holdsWorkspace(path)).forEach(hide);
  args.push("--chdir", plan.workspace);
  const env: [string, string][] = [
    ["PATH", SANDBOX_PATH],
    ["HOME", SANDBOX_HOME],
    ["LANG", "C.UTF-8"],
    ["TERM", "dumb"],
    ["PWD", plan.workspace],
    ["TMPDIR", "/tmp"],
  ];
  for (const [name, value] of env) args.push("--setenv", name, value);
  args.push(
    "--",
    plan.prlimit,
    `--data=${plan.memoryBytes}`,
    `--nproc=${plan.maxProcesses}`,
    "--core=0",
    "--",
    plan.shell,
    "-c",
    plan.command,
  );
  return args;
}
