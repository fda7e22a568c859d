import { spawn, spawnSync } from "node:child_process";
import type { Writable } from "node:stream";
import { CappedOutput } from "./output-cap";
import type { RunResult, SandboxLimits } from "./types";

export interface ExecuteOptions {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  limits: SandboxLimits;
  signal?: AbortSignal;
  /** Written to the child's fd 3 (bwrap --seccomp 3). */
  fd3?: Buffer;
  /** Host descriptors the child gets as fds 4, 5, … (bwrap --ro-bind-fd). */
  inheritFds?: readonly number[];
}

/** What running one process produced; the sandbox runner adds what it knows about the sandbox. */
export type ExecuteResult = Pick<
  RunResult,
  | "exitCode"
  | "signal"
  | "timedOut"
  | "outputLimitHit"
  | "aborted"
  | "stdout"
  | "stderr"
  | "stdoutTruncatedBytes"
  | "stderrTruncatedBytes"
  | "durationMs"
>;

/** After the process exits, how long to wait for pipes still held by escaped descendants. */
const PIPE_GRACE_MS = 1000;

/**
 * Spawns argv in its own process group with capped output, and kills the whole group on timeout,
 * abort or an output flood. Inside bwrap the group leader's death also tears down the pid namespace.
 */
export function execute(options: ExecuteOptions): Promise<ExecuteResult> {
  const started = Date.now();
  const [file, ...args] = options.argv;
  if (!file) throw new Error("execute: empty argv");
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [
        "ignore", "pipe", "pipe",
        ...(options.fd3 || options.inheritFds?.length ? [options.fd3 ? ("pipe" as const) : ("ignore" as const)] : []),
        ...(options.inheritFds ?? []),
      ],
    });
    if (options.fd3) {
      const fd3 = child.stdio[3] as Writable;
      fd3.on("error", () => undefined); // the child may exit before reading it
      fd3.end(options.fd3);
    }
    const stdout = new CappedOutput(options.limits.maxOutputBytes);
    const stderr = new CappedOutput(options.limits.maxOutputBytes);
    let timedOut = false;
    let outputLimitHit = false;
    let aborted = false;
    let exit: { code: number | null; signal: string | null } | null = null;
    let settled = false;

    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        if (process.platform === "win32") spawnSync("taskkill", ["/pid", String(child.pid), "/T", "/F"]);
        else process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    };
    const onData = (sink: CappedOutput) => (chunk: Buffer) => {
      sink.push(chunk);
      if (!outputLimitHit && stdout.total + stderr.total > options.limits.killAfterOutputBytes) {
        outputLimitHit = true;
        killTree();
      }
    };
    const out = child.stdout;
    const err = child.stderr;
    if (!out || !err) throw new Error("execute: stdio pipes missing");
    out.on("data", onData(stdout));
    err.on("data", onData(stderr));

    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, options.limits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const finish = () => {
      if (settled || !exit) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever is left in the group (unsandboxed runs) goes with the run.
      killTree();
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        timedOut,
        outputLimitHit,
        aborted,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncatedBytes: stdout.truncatedBytes,
        stderrTruncatedBytes: stderr.truncatedBytes,
        durationMs: Date.now() - started,
      });
    };
    child.on("error", (error) => {
      clearTimeout(timer);
      settled = true;
      reject(error);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      setTimeout(() => {
        out.destroy();
        err.destroy();
        finish();
      }, PIPE_GRACE_MS).unref();
    });
    child.on("close", () => finish());
  });
}
