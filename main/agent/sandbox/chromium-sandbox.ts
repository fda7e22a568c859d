import { spawn } from "node:child_process";
import { realpath } from "node:fs/promises";
import { dirname } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { shellQuote } from "../../../app/agent/policy";
import { bwrapArgs, SANDBOX_PATH } from "./bwrap-args";
import { createRunCgroup } from "./cgroup";
import { spawnWrapper } from "./spawn-wrapper";
import { detectSandbox } from "./detect";
import { hostMounts } from "./host-mounts";
import { DEFAULT_LIMITS } from "./types";
import type { SandboxCapability } from "./types";

/**
 * check_page's Chromium runs in a network namespace of its own, with loopback only (and that down):
 * whatever API a page finds (WebRTC over UDP, QUIC, WebTransport, DNS, beacons…) has no route to the
 * host, its LAN or the internet, and abstract unix sockets are per namespace too. Browser flags
 * only cover the requests they know about; a namespace covers every socket. bubblewrap also gives it
 * a fresh /tmp and home, hides the workspace (the page gets its files over DevTools) and the app's
 * data dir, drops every capability and puts the browser in a memory cgroup; where bwrap cannot run,
 * `unshare -n` still makes the namespace; with neither, check_page is refused rather than run with a
 * network.
 */
export interface ChromiumJail {
  readonly kind: "bwrap" | "unshare";
  /**
   * The argv (and environment) that runs `command` inside; `profile` is its one writable folder.
   * `release` undoes what the jail set up (its cgroup) once the browser is gone.
   */
  wrap(command: readonly string[], options: { profile: string; hidden: readonly string[] }): Promise<WrappedCommand>;
}

export interface WrappedCommand {
  argv: string[];
  env: NodeJS.ProcessEnv;
  release?: () => Promise<void>;
}

/** The DevTools pipe (--remote-debugging-pipe): the only descriptors past stdio the browser keeps. */
const DEVTOOLS_FDS = [3, 4];

/** The sandbox's /tmp and home are memory: a page filling them stops here. */
const TMPFS_BYTES = 256 * 1024 * 1024;

function bwrapJail(sandbox: Extract<SandboxCapability, { kind: "bwrap" }>): ChromiumJail {
  return {
    kind: "bwrap",
    async wrap(command, { profile, hidden }) {
      // A browser installed under a home folder (a puppeteer download) would vanish under its tmpfs.
      const binaryDir = dirname(await realpath(command[0]!).catch(() => command[0]!));
      const mounts = await hostMounts([binaryDir]);
      const argv = bwrapArgs({
        bwrap: sandbox.bwrap,
        prlimit: sandbox.prlimit,
        shell: sandbox.shell,
        workspace: profile,
        command: `exec ${command.map(shellQuote).join(" ")}`,
        network: false,
        memoryBytes: DEFAULT_LIMITS.memoryBytes,
        maxProcesses: DEFAULT_LIMITS.maxProcesses,
        readOnlyInWorkspace: [],
        ...mounts,
        // Chromium needs AF_UNIX sockets, which the run_command filter refuses; the namespace is the wall here.
        seccompFd: null,
        disableUserns: sandbox.disableUserns,
        workspaceWritable: true,
        // The app's own private paths (its data dir) as for run_command, and the workspace.
        hiddenPaths: [...(mounts.hiddenPaths ?? []), ...hidden],
        tmpfsBytes: TMPFS_BYTES,
      });
      // Every browser process, and its tmpfs pages, count against one memory.max (fails closed, as run_command does).
      const cgroup = await createRunCgroup(sandbox, DEFAULT_LIMITS);
      // The same prelude as run_command: join the cgroup, close what the app inherited, keep the pipe.
      const wrapped = spawnWrapper({ shell: sandbox.shell, procsFiles: cgroup?.procsFiles ?? [], seccomp: null, keepFds: DEVTOOLS_FDS, argv });
      return { argv: wrapped, env: {}, ...(cgroup ? { release: () => cgroup.destroy() } : {}) };
    },
  };
}

function unshareJail(unshare: string, asRoot: boolean): ChromiumJail {
  return {
    kind: "unshare",
    async wrap(command, { profile }) {
      // Not root: a user namespace, mapped to root inside, is what lets unshare make the network one.
      const argv = [unshare, "--net", ...(asRoot ? [] : ["--user", "--map-root-user"]), "--", ...command];
      return { argv, env: { PATH: SANDBOX_PATH, HOME: profile, TMPDIR: profile, LANG: "C.UTF-8" } };
    },
  };
}

function runs(argv: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: "ignore", env: {} });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("error", () => resolve(false));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export const NO_NETWORK_ISOLATION =
  "check_page is unavailable: its browser must run in a network namespace of its own, and neither bubblewrap nor `unshare -n` can make one here";

export interface JailOptions {
  sandbox?: SandboxCapability;
  /** util-linux unshare; null for none. */
  unshare?: string | null;
  asRoot?: boolean;
}

/** The jail this machine can make, probed each call (cheap next to a browser start); a typed error when none. */
export async function chromiumJail(options: JailOptions = {}): Promise<ChromiumJail> {
  const sandbox = options.sandbox ?? (await detectSandbox());
  if (sandbox.kind === "bwrap") return bwrapJail(sandbox);
  const unshare = options.unshare === undefined ? "/usr/bin/unshare" : options.unshare;
  const asRoot = options.asRoot ?? process.getuid?.() === 0;
  if (process.platform === "linux" && unshare !== null) {
    const jail = unshareJail(unshare, asRoot);
    const probe = await jail.wrap(["/bin/true"], { profile: "/", hidden: [] });
    if (await runs(probe.argv)) return jail;
  }
  const why = sandbox.kind === "none" ? sandbox.reason : "there are no network namespaces on macOS";
  throw new AppError("bad_request", `${NO_NETWORK_ISOLATION} (${why}).`, { reason: "no_network_isolation", detail: why });
}
