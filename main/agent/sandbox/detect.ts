import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { detectCgroup } from "./cgroup";
import { isBash } from "./spawn-wrapper";
import type { SandboxCapability } from "./types";

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

async function findExecutable(name: string): Promise<string | null> {
  const dirs = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin", ...(process.env["PATH"] ?? "").split(delimiter)];
  for (const dir of dirs) {
    if (dir && (await executable(join(dir, name)))) return join(dir, name);
  }
  return null;
}

/** Runs bwrap once with the same namespaces and mounts a real run uses: present is not the same as working. */
function probeBwrap(bwrap: string, extra: string[]): Promise<{ ok: boolean; detail: string }> {
  const args = [
    ...extra,
    "--die-with-parent", "--new-session", "--unshare-all", "--cap-drop", "ALL", "--clearenv",
    "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/sh", "-c", "exit 0",
  ];
  return new Promise((resolve) => {
    const child = spawn(bwrap, args, { stdio: ["ignore", "ignore", "pipe"], env: {} });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8").slice(0, 2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, detail: stderr.trim() || `exit code ${String(code)}` });
    });
  });
}

async function detectLinux(): Promise<SandboxCapability> {
  const bwrap = await findExecutable("bwrap");
  if (!bwrap) return { kind: "none", reason: "bubblewrap (bwrap) is not installed; install it (e.g. apt install bubblewrap) to run commands" };
  const prlimit = await findExecutable("prlimit");
  if (!prlimit) return { kind: "none", reason: "prlimit (util-linux) is missing, so memory and process limits cannot be applied" };
  const disableUserns = (await probeBwrap(bwrap, ["--unshare-user", "--disable-userns"])).ok;
  const probe = disableUserns ? { ok: true, detail: "" } : await probeBwrap(bwrap, []);
  if (!probe.ok) {
    return { kind: "none", reason: `bubblewrap is installed but cannot create a sandbox here (${probe.detail}); user namespaces may be disabled` };
  }
  const shell = (await executable("/bin/bash")) ? "/bin/bash" : "/bin/sh";
  const cgroup = await detectCgroup();
  const root = process.getuid?.() === 0;
  const notes: string[] = [];
  if (!disableUserns) notes.push("this bwrap cannot --disable-userns: commands may create nested user namespaces");
  if (root) notes.push("running as root: the sandbox keeps host uid 0 without capabilities; RLIMIT_NPROC does not bind root");
  if (!isBash(shell)) notes.push("no bash on the host: descriptors the app inherited above 9 are not closed before the sandbox starts");
  if (!cgroup?.memoryParent) notes.push("no writable memory cgroup: memory is capped per process (RLIMIT_DATA) and per tmpfs, not for the run as a whole");
  if (cgroup) return { kind: "bwrap", bwrap, prlimit, shell, processLimit: cgroup.kind, cgroupParent: cgroup.parent, cgroupMemoryParent: cgroup.memoryParent, disableUserns, notes };
  if (!root) {
    notes.push("no writable pids cgroup: RLIMIT_NPROC, counted inside the sandbox's own user namespace, limits processes");
    return { kind: "bwrap", bwrap, prlimit, shell, processLimit: "rlimit-nproc", cgroupParent: null, cgroupMemoryParent: null, disableUserns, notes };
  }
  notes.push("no writable pids cgroup and running as root: nothing limits the number of processes");
  return { kind: "bwrap", bwrap, prlimit, shell, processLimit: "none", cgroupParent: null, cgroupMemoryParent: null, disableUserns, notes };
}

async function detectNow(): Promise<SandboxCapability> {
  switch (process.platform) {
    case "linux":
      return detectLinux();
    case "darwin":
      return (await executable("/usr/bin/sandbox-exec"))
        ? { kind: "sandbox-exec", sandboxExec: "/usr/bin/sandbox-exec", shell: "/bin/bash", notes: [] }
        : { kind: "none", reason: "sandbox-exec is missing on this Mac" };
    default:
      return { kind: "none", reason: `no sandbox is available on ${process.platform}` };
  }
}

let cached: Promise<SandboxCapability> | undefined;

/** What this machine can sandbox with; probed once per process. */
export function detectSandbox(): Promise<SandboxCapability> {
  cached ??= detectNow();
  return cached;
}
