import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, type Backend } from "../backend";
import { APP_MCP_CONFIG } from "../agent/mcp/config";
import { forkSpawner } from "../engine/fork-spawner";
import { logFilePath } from "../paths";
import { openAppLog } from "./app-log";

// The real backend with its log in a real data folder; the engine is the protocol-speaking fixture (a real child
// process), which can print to stderr and abort the way llama.cpp does.
const fixture = join(import.meta.dirname, "..", "engine", "fixtures", "fake-engine.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "m2d-backend-log-"));
const ctx = { transport: "websocket" as const };
let backend: Backend;

beforeAll(() => {
  const { log } = openAppLog(dataDir, { echo: false });
  backend = createBackend({ dataDir, spawnEngine: forkSpawner(fixture), log });
});
afterAll(async () => {
  await backend.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const logText = () => readFileSync(logFilePath(dataDir), "utf8");

async function until(check: () => boolean, timeoutMs = 5_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the backend's log file", () => {
  it("gets an unexpected throw in a handler with its stack, while the client still gets the typed error", async () => {
    // A directory where the handler writes its temp file: Node's EISDIR, not an AppError, out of a real handler.
    mkdirSync(join(dataDir, `${APP_MCP_CONFIG}.${process.pid}.tmp`), { recursive: true });
    const outcome = await backend.dispatch("agent.saveMcpConfig", { config: { mcpServers: {} } }, ctx);
    expect(outcome).toMatchObject({ ok: false, error: { code: "internal", message: expect.stringContaining("EISDIR") } });
    const text = logText();
    expect(text).toMatch(/\[error\] agent\.saveMcpConfig failed unexpectedly: Error: EISDIR/);
    expect(text).toMatch(/\n {4}at .+\n/); // the stack's frames came along
  });

  it("does not log typed errors as unexpected", async () => {
    const outcome = await backend.dispatch("no.such.method", {}, ctx);
    expect(outcome).toMatchObject({ ok: false, error: { code: "unknown_method" } });
    expect(logText()).not.toContain("no.such.method");
  });

  it("gets the engine's stderr, its unterminated last line included, redacted", async () => {
    const outcome = await backend.dispatch("engine.echo", { text: "die-loudly" }, ctx);
    expect(outcome).toMatchObject({ ok: false, error: { code: "engine_crashed" } });
    await until(() => logText().includes("last words"));
    const text = logText();
    expect(text).toMatch(/\[warn\] engine: stderr: ggml\/src\/ggml\.c:1234: GGML_ASSERT\(n_expert_used > 0\) failed\n/);
    expect(text).toMatch(/\[warn\] engine: stderr: last words\n/);
    expect(text).toContain("Bearer [redacted]");
    expect(text).not.toContain("hf_abcdefghijklmnopqrstuvwxyz");
  });

  it("system.diagnostics reports every section, the recent errors with their stacks, and no secret", async () => {
    await until(() => backend.engine.getStatus().state === "ready");
    const outcome = await backend.dispatch("system.diagnostics", {}, ctx);
    if (!outcome.ok) throw new Error(outcome.error.message);
    const { text } = outcome.result as { text: string };
    for (const title of ["App", "Machine", "Engine", "Data", "Model", "Recent errors (1)", "Log (last"]) expect(text).toContain(`== ${title}`);
    expect(text).toMatch(/M2 Desktop \d+\.\d+\.\d+/);
    expect(text).toMatch(/node-llama-cpp \d+\.\d+\.\d+/);
    expect(text).toContain(`Database: ${join(dataDir, "m2d.sqlite")} (schema `);
    expect(text).toMatch(/Status: ready \(pid \d+\) · restarts 1 · last exit: code 134/);
    expect(text).toContain("Backend: cpu · 2 math threads\nGPU(s): none");
    expect(text).toContain("None loaded");
    expect(text).toMatch(/== Recent errors \(1\) ==\n\S+ \[error\] agent\.saveMcpConfig failed unexpectedly: Error: EISDIR[^\n]*\n {4}at /);
    expect(text).toContain("last words");
    expect(text).not.toContain("hf_abcdefghijklmnopqrstuvwxyz");
  });
});

describe("a backend whose log folder cannot be written", () => {
  it("keeps serving: calls succeed, unexpected errors still come back typed", async () => {
    // Root ignores permission bits, so the folder is made unwritable for real by a file where it should be.
    const blockedDir = mkdtempSync(join(tmpdir(), "m2d-backend-nolog-"));
    writeFileSync(join(blockedDir, "logs"), "not a folder");
    const appLog = openAppLog(blockedDir, { echo: false });
    const blocked = createBackend({ dataDir: blockedDir, spawnEngine: forkSpawner(fixture), log: appLog.log });
    try {
      mkdirSync(join(blockedDir, `${APP_MCP_CONFIG}.${process.pid}.tmp`));
      const failed = await blocked.dispatch("agent.saveMcpConfig", { config: { mcpServers: {} } }, ctx);
      expect(failed).toMatchObject({ ok: false, error: { code: "internal" } });
      expect(appLog.file.lastFailure).toMatch(/ENOTDIR|EEXIST/);
      expect(await blocked.dispatch("engine.echo", { text: "still here" }, ctx)).toMatchObject({ ok: true, result: { text: "still here" } });
      const report = await blocked.dispatch("system.diagnostics", {}, ctx);
      expect(report).toMatchObject({ ok: true, result: { text: expect.stringContaining("== Log (last 0 lines") } });
      expect(report).toMatchObject({ ok: true, result: { text: expect.stringContaining(`(not writable: ${join(blockedDir, "logs")} is not a folder)`) } });
    } finally {
      await blocked.close();
      rmSync(blockedDir, { recursive: true, force: true });
    }
  });
});
