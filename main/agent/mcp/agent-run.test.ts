import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent } from "../../../app/contract";
import { ensureTestModel } from "../../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../../testing/engine-harness";
import { createBackend, type Backend } from "../../backend";
import { bundleEntry } from "../../downloads/testing/bundle";
import { forkSpawner } from "../../engine/fork-spawner";

// MCP in the real backend: the run starts the configured servers and closes them when it ends,
// and the contract methods list them and save the app-level file.

const scratch = mkdtempSync(join(tmpdir(), "m2d-mcp-run-"));
const dataDir = join(scratch, "data");
const ctx = { transport: "websocket" as const };
let backend: Backend;
let bundle: { file: string; remove(): void };
let model: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  model = await ensureTestModel("agent");
  bundle = await bundleEntry(join(__dirname, "testing", "echo-server.ts"));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, "mcp.json"),
    JSON.stringify({ mcpServers: { echo: { command: process.execPath, args: [bundle.file], env: { ECHO_PIDFILE: join(scratch, "echo.pid") } }, gone: { command: join(scratch, "no-such-server") }, broken: { url: 42 } } }),
  );
  backend = createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
}, 120_000);

afterAll(async () => {
  await backend?.close();
  bundle?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe("MCP servers in an agent run", () => {
  it("start with the run, offer their tools in M2's <tools> block, and are closed when it ends", async () => {
    const ws = join(scratch, "ws");
    mkdirSync(ws);
    writeFileSync(join(ws, "README.md"), "# Demo\n");
    await backend.models.load(model, { gpu: "cpu", contextSize: 16384 });
    const done = new Promise<Extract<AppEvent, { type: "agent.done" }>>((resolve) => {
      const off = backend.events.subscribe((event) => {
        if (event.type === "agent.done") {
          off();
          resolve(event);
        }
      });
    });
    // Record the tool list each step hands the engine (the call goes through unchanged).
    const notices: string[] = [];
    const offNotices = backend.events.subscribe((event) => void (event.type === "agent.notice" && notices.push(event.message)));
    const offered: string[][] = [];
    const answer = backend.chat.answer.bind(backend.chat);
    backend.chat.answer = (conversationId, parentId, options) => {
      offered.push((options?.tools ?? []).map((t) => t.function.name));
      return answer(conversationId, parentId, options);
    };
    await backend.agent.start({ workspace: ws, task: "What is in this folder?", mode: "ask", maxSteps: 5 });
    expect((await done).reason).toBe("answered");
    backend.chat.answer = answer;
    expect(offered).toHaveLength(2);
    for (const names of offered) expect(names).toEqual(expect.arrayContaining(["list_files", "check_page", "mcp__echo__echo", "mcp__echo__write"]));
    const pid = Number(readFileSync(join(scratch, "echo.pid"), "utf8"));
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    // The user hears about the server that did not start and the bad entry; the run went on without them.
    offNotices();
    expect(notices).toEqual([
      expect.stringMatching(/^MCP config .*mcp\.json \(broken\): .*url/),
      expect.stringMatching(/^MCP server gone did not start: .*Its tools are not available in this run\.$/),
    ]);
  }, 120_000);

  it("a workspace's .m2d/mcp.json waits for approval: the run hears it, agent.mcpConsent shows the command and hash, agent.approveWorkspaceMcp takes exactly that hash", async () => {
    const ws = join(scratch, "ws-planted");
    mkdirSync(join(ws, ".m2d"), { recursive: true });
    writeFileSync(join(ws, ".m2d", "mcp.json"), JSON.stringify({ mcpServers: { planted: { command: "/bin/sh", args: ["-c", "touch planted-marker"], sandboxed: true } } }));
    const notices: string[] = [];
    const done = new Promise<void>((resolve) => {
      const off = backend.events.subscribe((event) => {
        if (event.type === "agent.notice") notices.push(event.message);
        if (event.type === "agent.done") {
          off();
          resolve();
        }
      });
    });
    await backend.agent.start({ workspace: ws, task: "What is in this folder?", mode: "read_only", maxSteps: 2 });
    await done;
    expect(notices).toContainEqual(expect.stringContaining("1 MCP server in .m2d/mcp.json needs your approval: planted."));
    expect(existsSync(join(ws, "planted-marker"))).toBe(false);

    const shown = await backend.dispatch("agent.mcpConsent", { workspace: ws }, ctx);
    expect(shown).toMatchObject({ ok: true, result: { approved: false, servers: [{ name: "planted", commandLine: "/bin/sh -c 'touch planted-marker'" }] } });
    if (!shown.ok) return;
    const { sha256 } = shown.result as { sha256: string };
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const wrong = await backend.dispatch("agent.approveWorkspaceMcp", { workspace: ws, sha256: "0".repeat(64) }, ctx);
    expect(wrong).toMatchObject({ ok: false, error: { code: "bad_request", details: { reason: "mcp_config_changed" } } });
    const approved = await backend.dispatch("agent.approveWorkspaceMcp", { workspace: ws, sha256 }, ctx);
    expect(approved).toMatchObject({ ok: true, result: { approved: true, sha256 } });
    const revoked = await backend.dispatch("agent.revokeWorkspaceMcp", { workspace: ws }, ctx);
    expect(revoked).toMatchObject({ ok: true, result: { approved: false, sha256 } });
  }, 120_000);

  it("agent.mcpServers lists each server's state and tools, and the bad entry as a problem", async () => {
    const outcome = await backend.dispatch("agent.mcpServers", {}, ctx);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const result = outcome.result as { servers: Array<{ name: string; state: string; tools: Array<{ name: string }> }>; problems: Array<{ server: string; message: string }>; appConfigText: string };
    expect(result.servers.map((s) => [s.name, s.state])).toEqual([["echo", "connected"], ["gone", "failed"]]);
    expect(result.servers[0]!.tools.map((t) => t.name)).toContain("mcp__echo__echo");
    expect(result.problems).toEqual([expect.objectContaining({ server: "broken", message: expect.stringContaining("url") })]);
    expect(result.appConfigText).toContain('"broken"');
  });

  it("agent.saveMcpConfig writes a valid file and refuses a bad one as a typed error, leaving the file alone", async () => {
    const saved = await backend.dispatch("agent.saveMcpConfig", { config: { mcpServers: { web: { url: "http://127.0.0.1:9/mcp" } } } }, ctx);
    expect(saved).toMatchObject({ ok: true, result: { file: join(dataDir, "mcp.json") } });
    expect(JSON.parse(readFileSync(join(dataDir, "mcp.json"), "utf8"))).toMatchObject({ mcpServers: { web: { url: "http://127.0.0.1:9/mcp" } } });
    const refused = await backend.dispatch("agent.saveMcpConfig", { config: { mcpServers: { web: { url: "ftp://x" }, "bad name!": { command: "x" } } } }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect(existsSync(join(dataDir, "mcp.json"))).toBe(true);
    expect(readFileSync(join(dataDir, "mcp.json"), "utf8")).toContain("127.0.0.1:9");
  });
});
