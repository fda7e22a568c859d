import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { detectCgroup } from "./cgroup";
import { detectSandbox } from "./detect";
import { runSandboxed } from "./runner";
import { DEFAULT_LIMITS } from "./types";

const cap = await detectSandbox();
let root: string;
let ws: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-runner-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, "scripts"), { recursive: true });
  writeFileSync(join(ws, "scripts", "env.sh"), "export A=1\n");
  symlinkSync("scripts/env.sh", join(ws, ".envrc"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test("defaults: 120 s timeout, 1 MiB kept per stream, 4 GiB memory, 512 processes, 1 GiB per tmpfs", () => {
  expect(DEFAULT_LIMITS).toEqual({
    timeoutMs: 120_000,
    maxOutputBytes: 1048576,
    killAfterOutputBytes: 67108864,
    memoryBytes: 4294967296,
    maxProcesses: 512,
    tmpfsBytes: 1073741824,
  });
});

describe.skipIf(cap.kind !== "bwrap")("bubblewrap runner", () => {
  test("detects a working bwrap with a process limit it can enforce", () => {
    if (cap.kind !== "bwrap") return;
    expect(["cgroup-v2", "cgroup-v1", "rlimit-nproc"]).toContain(cap.processLimit);
  });

  test("runs in the workspace with exactly the minimal environment", async () => {
    const result = await runSandboxed({ command: "pwd; env | sort; echo err >&2; exit 7", workspace: ws }, cap);
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toBe("err\n");
    const [pwd, ...env] = result.stdout.trim().split("\n");
    expect(pwd).toBe(ws);
    expect(env.filter((l) => !l.startsWith("SHLVL=") && !l.startsWith("_="))).toEqual([
      "HOME=/home/agent",
      "LANG=C.UTF-8",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      `PWD=${ws}`,
      "TERM=dumb",
      "TMPDIR=/tmp",
    ]);
    expect(result.argv[0]).toBe(cap.kind === "bwrap" ? cap.bwrap : "");
  });

  test("keeps the head of each stream and counts the rest without killing a moderate flood", async () => {
    const result = await runSandboxed({ command: "head -c 3145728 /dev/zero | tr '\\0' a; head -c 10 /dev/zero >&2", workspace: ws }, cap);
    expect(result.exitCode).toBe(0);
    expect(result.outputLimitHit).toBe(false);
    expect(result.stdout.length).toBe(1048576);
    expect(result.stdoutTruncatedBytes).toBe(2097152);
    expect(result.stderr.length).toBe(10);
  });

  test("an abort signal kills the run", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runSandboxed({ command: "sleep 30", workspace: ws, signal: controller.signal }, cap);
    expect(result.aborted).toBe(true);
    expect(result.durationMs).toBeLessThan(5000);
  });

  test("a protected symlink pointing inside the workspace has its target mounted read-only", async () => {
    const result = await runSandboxed({ command: "echo evil >> scripts/env.sh; cat .envrc", workspace: ws }, cap);
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(result.stdout).toBe("export A=1\n");
  });

  test("extra read-only paths become visible under the hidden home; per-run cgroups are removed", async () => {
    const tool = mkdtempSync(join(tmpdir(), "m2d-toolchain-"));
    writeFileSync(join(tool, "tool.sh"), "echo toolchain");
    try {
      const hidden = await runSandboxed({ command: `cat ${tool}/tool.sh`, workspace: ws }, cap);
      expect(hidden.exitCode).not.toBe(0);
      const shown = await runSandboxed({ command: `sh ${tool}/tool.sh; touch ${tool}/x`, workspace: ws, readOnlyPaths: [tool] }, cap);
      expect(shown.stdout).toBe("toolchain\n");
      expect(shown.stderr).toMatch(/Read-only file system/);
    } finally {
      rmSync(tool, { recursive: true, force: true });
    }
    if (cap.kind === "bwrap" && cap.cgroupParent) {
      expect(readdirSync(cap.cgroupParent).filter((d) => d.startsWith(`m2d-run-${process.pid}-`))).toEqual([]);
    }
  });
});

test.skipIf(cap.kind !== "bwrap" || !cap.cgroupParent)("cgroups left by a backend that died are removed at the next detection", async () => {
  if (cap.kind !== "bwrap" || !cap.cgroupParent) return;
  const dead = spawnSync("true").pid;
  const stale = join(cap.cgroupParent, `m2d-run-${dead}-1`);
  mkdirSync(stale);
  expect(await detectCgroup()).toMatchObject({ parent: cap.cgroupParent });
  expect(existsSync(stale)).toBe(false);
});

describe("without a sandbox", () => {
  const none = { kind: "none", reason: "no sandbox in this test" } as const;

  test("refuses unless the workspace opted in", async () => {
    await expect(runSandboxed({ command: "true", workspace: ws }, none)).rejects.toMatchObject({
      code: "bad_request",
      details: { reason: "sandbox_unavailable", detail: "no sandbox in this test" },
    });
  });

  test("opted in: runs with a warning flag, a trimmed environment, and still a timeout", async () => {
    process.env["M2D_RUNNER_SECRET"] = "s3cr3t";
    try {
      const result = await runSandboxed({ command: "echo \"[$M2D_RUNNER_SECRET]\"; sleep 30", workspace: ws, allowUnsandboxed: true, limits: { timeoutMs: 500 } }, none);
      expect(result.unsandboxed).toBe(true);
      expect(result.warnings[0]).toContain("NOT sandboxed");
      expect(result.stdout).toBe("[]\n");
      expect(result.timedOut).toBe(true);
    } finally {
      delete process.env["M2D_RUNNER_SECRET"];
    }
    expect(existsSync(ws)).toBe(true);
  });
});
