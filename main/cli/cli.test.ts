import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corruptCases } from "../../node/gguf/corrupt-corpus";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { Library } from "../downloads";
import { databasePath } from "../paths";
import { openDatabase } from "../storage/database";
import { APP_VERSION } from "../version";
import { COMMANDS } from "./commands";

// The built CLI as a user runs it: a real process, real stdin/stdout, the real engine.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const scratch = mkdtempSync(join(tmpdir(), "m2d-cli-"));
// stdin and stdout are pipes here, never a terminal: no colour unless FORCE_COLOR asks for it.
const plainEnv = { ...TEST_ENGINE_ENV, FORCE_COLOR: undefined, NO_COLOR: undefined };
const m2d = (args: string[], input?: string, env: NodeJS.ProcessEnv = plainEnv) =>
  spawnSync(process.execPath, [cli, ...args], { input: input ?? "", encoding: "utf8", env, timeout: 120_000 });
/**
 * In a session of its own (setsid), so without a controlling terminal: /dev/tty cannot be opened, as under cron or
 * CI. Run from a developer's terminal, a plain child would otherwise ask its question on that terminal.
 */
const m2dWithoutTerminal = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: plainEnv, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
const ESC = "\x1b";

let agentModel: string;
let editModel: string;
let chatModel: string;
beforeAll(async () => {
  [agentModel, editModel, chatModel] = await Promise.all([ensureTestModel("agent"), ensureTestModel("edit"), ensureTestModel("chat")]);
}, 120_000);

/** A data folder whose library holds `model` (verified, as a finished download leaves it) as owner/repo:QUANT. */
function libraryWith(model: string, repo: string, quant: string): string {
  const dir = mkdtempSync(join(scratch, "data-"));
  const path = join(dir, "models", `${quant}.gguf`);
  mkdirSync(join(dir, "models"));
  copyFileSync(model, path);
  const db = openDatabase({ path: databasePath(dir) });
  const library = new Library(db);
  const { size, mtimeMs } = statSync(path);
  library.ensureModel({ id: `${repo}:${quant}`, repo, quant, primaryPath: path, totalBytes: size, fileCount: 1 });
  library.recordVerifiedFile({ path, modelId: `${repo}:${quant}`, size, sha256: "0".repeat(64), sha256Source: "local", mtimeMs });
  library.completeModel(`${repo}:${quant}`);
  db.close();
  return dir;
}
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("m2d", () => {
  it("prompt prints the exact M2 prompt for OpenAI-format messages", () => {
    const result = m2d(["prompt"], JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }));
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("]~!b[]~b]system\nYou are a helpful assistant.[e~[\n]~b]user\nHi[e~[\n]~b]ai\n<think>\n");
  });

  it("prompt refuses malformed input with a usage error, not a stack trace", () => {
    const result = m2d(["prompt"], "{not json");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^m2d: stdin is not valid JSON/);
  });

  it("parse turns raw output into reasoning, content and typed tool calls", () => {
    const tools = join(scratch, "tools.json");
    writeFileSync(tools, JSON.stringify([{ type: "function", function: { name: "f", parameters: { type: "object", properties: { n: { type: "integer" } } } } }]));
    const result = m2d(["parse", "--tools", tools], 'think\n</think>\n\nok\n<minimax:tool_call>\n<invoke name="f">\n<parameter name="n">42</parameter>\n</invoke>\n</minimax:tool_call>');
    expect(JSON.parse(result.stdout)).toMatchObject({ reasoning: "think", content: "ok", tool_calls: [{ name: "f", arguments: { n: 42 } }] });
  });

  it("parse prints a 10,000-deep argument as text with a typed call error, not a stack overflow", () => {
    const tools = join(scratch, "deep-tools.json");
    writeFileSync(tools, JSON.stringify([{ type: "function", function: { name: "f", parameters: { type: "object", properties: { v: { type: "array" } } } } }]));
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const result = m2d(["parse", "--tools", tools], `</think>\n\nok<minimax:tool_call>\n<invoke name="f">\n<parameter name="v">${deep}</parameter>\n</invoke>\n</minimax:tool_call>`);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      content: "ok",
      tool_calls: [{ name: "f", arguments: { v: deep }, error: { code: "argument_too_deep" } }],
      errors: [{ code: "argument_too_deep", tool_call_index: 0 }],
    });
  });

  it("inspect reports the model; a corrupt file gets a typed message and exit 1", () => {
    const ok = m2d(["inspect", agentModel, "--json"]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ architecture: "minimax-m2", isM2: true, chatTemplate: "official" });
    const bad = join(scratch, "bad.gguf");
    writeFileSync(bad, "GGUF but not really");
    const result = m2d(["inspect", bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^m2d: /);
  });

  it("inspect says why a malformed model is refused: a FIFO, a 16 GiB sparse file claiming 2^29 tokens, norms stored F16", async () => {
    const cases = new Map((await corruptCases()).map((c) => [c.name, c]));
    const expected: Record<string, RegExp> = {
      fifo: /^m2d: Not a regular file: .*fifo\.gguf is a FIFO/,
      "sparse-2^29-tokens": /^m2d: Header too large: .*sparse-2\^29-tokens\.gguf: decoding its header needs more than 128 MiB/,
      "norms-f16": /^m2d: Invalid tensor type: .*tensor output_norm\.weight is stored as F16; norms, biases and other vectors must be F32/,
    };
    for (const [name, message] of Object.entries(expected)) {
      const result = m2d(["inspect", await cases.get(name)!.make(scratch)]);
      expect(result.stderr, name).toMatch(message);
      expect(result.status, name).toBe(1);
    }
  });

  const [chatReasoning, chatAnswer] = expectedOutput("chat", "turn1").split("</think>").map((part) => part.trim()) as [string, string];

  it("run writes the answer alone to stdout and the reasoning to stderr, without escapes into pipes", () => {
    const result = m2d(["run", chatModel, "Show me", "--gpu", "cpu", "--ctx", "4096", "--seed", "7", "--temp", "0.2", "--top-k", "20", "--top-p", "0.9", "--max-tokens", "400"]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(chatAnswer);
    expect(result.stderr).toContain(chatReasoning);
    expect(result.stderr).toMatch(/prompt tokens/);
    expect(result.stdout + result.stderr).not.toContain(ESC);
  });

  it("run --reasoning show puts the reasoning before the answer on stdout; hide drops it; FORCE_COLOR dims it, NO_COLOR wins over nothing else", () => {
    const show = m2d(["run", chatModel, "Show me", "--gpu", "cpu", "--ctx", "4096", "--reasoning", "show"]);
    expect(show.stdout.indexOf(chatReasoning)).toBeGreaterThanOrEqual(0);
    expect(show.stdout.indexOf(chatReasoning)).toBeLessThan(show.stdout.indexOf(chatAnswer));
    expect(show.stdout).not.toContain(ESC);
    const hide = m2d(["run", chatModel, "Show me", "--gpu", "cpu", "--ctx", "4096", "--reasoning", "hide"]);
    expect(hide.stdout.trim()).toBe(chatAnswer);
    expect(hide.stderr).not.toContain(chatReasoning.slice(0, 40));
    const forced = m2d(["run", chatModel, "Show me", "--gpu", "cpu", "--ctx", "4096"], "", { ...plainEnv, FORCE_COLOR: "1" });
    expect(forced.stderr).toContain(`${ESC}[2m`);
    expect(forced.stdout.trim()).toBe(chatAnswer);
    const noColor = m2d(["run", chatModel, "Show me", "--gpu", "cpu", "--ctx", "4096", "--reasoning", "show"], "", { ...plainEnv, NO_COLOR: "1" });
    expect(noColor.stdout + noColor.stderr).not.toContain(ESC);
    expect(m2d(["run", chatModel, "x", "--reasoning", "loud"]).stderr).toMatch(/^m2d: --reasoning must be one of stderr, show, hide/);
  });

  it("run reads the prompt from stdin when it is missing or -, and says so when stdin is empty", () => {
    // The agent model calls list_files for any prompt: its tool call shows that a prompt got to the model.
    for (const args of [[agentModel], [agentModel, "-"]]) {
      const result = m2d(["run", ...args, "--gpu", "cpu", "--ctx", "4096"], "Which files?\n");
      expect(result.status, args.join(" ")).toBe(0);
      expect(result.stdout).toContain('[tool call] list_files({"path":"."})');
      expect(result.stderr).toContain(expectedOutput("agent", "turn1").split("</think>")[0]!.trim());
    }
    const empty = m2d(["run", agentModel, "--gpu", "cpu"], "");
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^m2d: No prompt: stdin was empty/);
  });

  it("run stops quietly when the reader of its output goes away (m2d run … | head -1)", async () => {
    const model = await ensureTestModel("long");
    const child = spawn(process.execPath, [cli, "run", model, "go", "--gpu", "cpu", "--ctx", "8192"], { env: plainEnv });
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    // The first line of the answer, then the pipe closes, as head's does.
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(status).toBe(0);
  });

  it("help lists every command; each command's --help documents every option of the table it parses with", () => {
    const help = m2d(["help"]);
    expect(help.status).toBe(0);
    for (const { spec } of COMMANDS) {
      expect(help.stdout, spec.name).toContain(`  ${spec.name} `);
      // `m2d help NAME` and `-h` are the same text: checked once below, every command through --help.
      for (const args of [[spec.name, "--help"]]) {
        const result = m2d(args);
        expect(result.status, args.join(" ")).toBe(0);
        expect(result.stdout, args.join(" ")).toMatch(new RegExp(`^Usage: m2d ${spec.name}`));
        for (const [name, option] of Object.entries(spec.options)) {
          expect(option.help.trim(), `${spec.name} --${name}`).not.toBe("");
          expect(result.stdout, `${spec.name} --${name}`).toMatch(new RegExp(`--${name}\\b.*${option.help.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
        }
      }
    }
    expect(m2d(["help", "run"]).stdout).toBe(m2d(["run", "-h"]).stdout);
    expect(m2d(["--version"]).stdout).toBe(`m2d ${APP_VERSION}\n`);
    const unknown = m2d(["run", chatModel, "x", "--no-such-flag"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--no-such-flag'[\s\S]*See m2d run --help/);
  }, 90_000);

  it("run, inspect and plan take a library name; one that does not resolve names the library's models", () => {
    const dataDir = libraryWith(chatModel, "scripted/m2-chat", "Q8_0");
    const run = m2d(["run", "scripted/m2-chat:q8_0", "Show me", "--gpu", "cpu", "--ctx", "4096", "--data-dir", dataDir]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(chatAnswer);
    const inspect = m2d(["inspect", "hf:scripted/m2-chat", "--json", "--data-dir", dataDir]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ path: join(dataDir, "models", "Q8_0.gguf"), isM2: true });
    const plan = m2d(["plan", "scripted/m2-chat:Q8_0", "--json", "--ctx", "4096", "--vram", "8", "--ram", "16", "--data-dir", dataDir]);
    expect(plan.status).toBe(0);
    expect(JSON.parse(plan.stdout)).toHaveProperty("fits", true);
    const missing = m2d(["run", "scripted/m2-chat:Q4_K_M", "Hi", "--data-dir", dataDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^m2d: No file and no library model named scripted\/m2-chat:Q4_K_M .*The library has: scripted\/m2-chat:Q8_0\./);
    const none = m2d(["inspect", "someone/else", "--data-dir", join(scratch, "no-such-data")]);
    expect(none.stderr).toMatch(/The library is empty/);
  });

  it("agent without a terminal refuses what needs approval (never approves it), shows each tool's output, and still finishes", async () => {
    const workspace = join(scratch, "ws");
    mkdirSync(workspace);
    const result = await m2dWithoutTerminal(["agent", "--workspace", workspace, "--model", editModel, "--gpu", "cpu", "--ctx", "8192", "Make notes"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("needs approval and no terminal is attached: refused");
    expect(existsSync(join(workspace, "notes.md"))).toBe(false);
    // What was refused is shown as the change it would have made.
    expect(result.stdout).toContain("  new file notes.md\n  @@ -0,0 +1,1 @@\n  +Hello from M2\n");
    expect(result.stdout).not.toContain(ESC);
  });

  it("agent --json prints JSON lines only, and refuses what needs approval", async () => {
    const workspace = join(scratch, "ws-json");
    mkdirSync(workspace);
    const result = await m2dWithoutTerminal(["agent", "--json", "--workspace", workspace, "--model", editModel, "--gpu", "cpu", "--ctx", "8192", "Make notes"]);
    expect(result.status).toBe(0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; run?: { tool: string; approved: boolean } });
    expect(events.some((e) => e.type === "agent.approval")).toBe(true);
    expect(events.find((e) => e.type === "agent.tool_run")?.run).toMatchObject({ tool: "write_file", approved: false });
    expect(existsSync(join(workspace, "notes.md"))).toBe(false);
  });

  const hasScript = process.platform === "linux" && spawnSync("script", ["--version"]).status === 0;
  const sh = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

  // util-linux `script` gives the CLI a real terminal (a pty) while its stderr goes to a file.
  it.skipIf(!hasScript)("agent asks on the terminal even with stderr redirected, shows the write's change, and a = always allow holds for the next run", async () => {
    const workspace = join(scratch, "ws-tty");
    mkdirSync(workspace);
    const dataDir = join(scratch, "data-tty");
    const errLog = join(scratch, "agent-tty.err");
    const args = ["agent", "--workspace", workspace, "--model", editModel, "--gpu", "cpu", "--ctx", "8192", "--data-dir", dataDir, "Make notes"];
    const command = `${[process.execPath, cli, ...args].map(sh).join(" ")} 2>${sh(errLog)}`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: plainEnv, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    let answered = false;
    child.stdout.on("data", (chunk) => {
      screen += chunk;
      // Typed once the question is on the screen, as a person would.
      if (!answered && screen.includes("[y/N/a] ")) {
        answered = true;
        child.stdin.write("a\r");
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.end();
    expect(screen).toContain("new file notes.md");
    expect(screen).toContain("+Hello from M2");
    expect(screen).toMatch(/a = approve, and always allow in this workspace:\s+write_file/);
    expect(status).toBe(0);
    expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");
    expect(readFileSync(errLog, "utf8")).not.toContain("[y/N");

    // The saved rule: the same write is allowed without a question, even with no terminal at all.
    rmSync(join(workspace, "notes.md"));
    const again = await m2dWithoutTerminal(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/✓ write_file \(allow, \d+ ms\)/);
    expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");
  }, 60_000);

  it.skipIf(!hasScript)("agent: n, then a reason on the next line, declines the write and the model reads why in the tool result", async () => {
    const workspace = join(scratch, "ws-deny");
    mkdirSync(workspace);
    const dataDir = join(scratch, "data-deny");
    const args = ["agent", "--workspace", workspace, "--model", editModel, "--gpu", "cpu", "--ctx", "8192", "--data-dir", dataDir, "Make notes"];
    const child = spawn("script", ["-qfec", [process.execPath, cli, ...args].map(sh).join(" "), "/dev/null"], { env: plainEnv, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    const typed = new Set<string>();
    child.stdout.on("data", (chunk) => {
      screen += chunk;
      // Typed once each question is on the screen, as a person would.
      if (!typed.has("n") && screen.includes("[y/N/a] ")) {
        typed.add("n");
        child.stdin.write("n\r");
      }
      if (!typed.has("reason") && screen.includes("Why not?")) {
        typed.add("reason");
        child.stdin.write("keep notes in docs/notes.md instead\r");
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.end();
    expect(screen).toContain("n REASON = decline and tell the model why");
    expect(status).toBe(0);
    expect(existsSync(join(workspace, "notes.md"))).toBe(false);
    const db = openDatabase({ path: databasePath(dataDir) });
    try {
      const results = db.prepare("SELECT content FROM messages WHERE role = 'tool'").all() as { content: string }[];
      expect(results.map((r) => r.content).join("\n")).toContain("keep notes in docs/notes.md instead");
    } finally {
      db.close();
    }
  }, 60_000);

  it("agent prints each tool's output under its line, cut with a note of how many lines are left out", async () => {
    const workspace = join(scratch, "ws-many");
    mkdirSync(workspace);
    for (let i = 0; i < 30; i++) writeFileSync(join(workspace, `file-${String(i).padStart(2, "0")}.txt`), "x");
    const result = await m2dWithoutTerminal(["agent", "--workspace", workspace, "--model", agentModel, "--gpu", "cpu", "--ctx", "8192", "Which files?"]);
    expect(result.status).toBe(0);
    const output = result.stdout.slice(result.stdout.indexOf("✓ list_files"));
    expect(output).toMatch(/✓ list_files \(allow, \d+ ms\)\n {4}\.\/ .*\n {4}file-00\.txt/);
    expect(output).toMatch(/ {4}… \d+ more lines\n/);
    expect(output).not.toContain("file-29.txt");
  });
});
