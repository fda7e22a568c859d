/** How many processes one run may hold, and how that is enforced on this machine. */
export type ProcessLimitKind = "cgroup-v2" | "cgroup-v1" | "rlimit-nproc" | "none";

export type SandboxCapability =
  | {
      kind: "bwrap";
      bwrap: string;
      prlimit: string;
      shell: string;
      processLimit: ProcessLimitKind;
      /** Where per-run pids cgroups are created, for the cgroup kinds. */
      cgroupParent: string | null;
      /** Where per-run memory cgroups are created (memory.max for the whole run); null: RLIMIT_DATA per process only. */
      cgroupMemoryParent: string | null;
      /** bwrap supports --disable-userns here. */
      disableUserns: boolean;
      notes: string[];
    }
  | { kind: "sandbox-exec"; sandboxExec: string; shell: string; notes: string[] }
  | { kind: "none"; reason: string };

export interface SandboxLimits {
  timeoutMs: number;
  /** Per stream: the head kept for the result. */
  maxOutputBytes: number;
  /** Output beyond this (both streams) kills the run: nobody reads a gigabyte of `yes`. */
  killAfterOutputBytes: number;
  /** The run's memory.max (all its processes and its tmpfs pages, where a memory cgroup exists), and RLIMIT_DATA per process. */
  memoryBytes: number;
  /** pids.max of the run's cgroup, and RLIMIT_NPROC inside. */
  maxProcesses: number;
  /** Size cap of each tmpfs the sandbox can write (/tmp, /var/tmp, home, /run, /dev/shm). */
  tmpfsBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 120_000,
  maxOutputBytes: 1024 * 1024,
  killAfterOutputBytes: 64 * 1024 * 1024,
  memoryBytes: 4 * 1024 * 1024 * 1024,
  maxProcesses: 512,
  tmpfsBytes: 1024 * 1024 * 1024,
};

export interface RunRequest {
  command: string;
  /** Absolute; resolved and checked by resolveWorkspaceRoot. */
  workspace: string;
  /** Only when the user enabled network for this workspace. */
  network?: boolean;
  limits?: Partial<SandboxLimits>;
  /** Extra host paths to show read-only, e.g. a toolchain under the (hidden) home folder. */
  readOnlyPaths?: string[];
  /** The workspace opted into running commands without a sandbox where none exists. */
  allowUnsandboxed?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed for writing more than killAfterOutputBytes. */
  outputLimitHit: boolean;
  aborted: boolean;
  stdout: string;
  stderr: string;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  durationMs: number;
  sandbox: SandboxCapability["kind"];
  /** Ran with the user's full permissions: show a warning next to the result. */
  unsandboxed: boolean;
  /** Protected workspace paths the command created or replaced; each was removed afterwards. */
  protectedViolations: string[];
  warnings: string[];
  /** Exactly what was executed. */
  argv: string[];
}
