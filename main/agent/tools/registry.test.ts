import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TOOL_NAMES } from "../../../app/agent/types";
import { detectSandbox } from "../sandbox/detect";
import { createToolContext } from "./context";
import type { ToolContext, ToolSettings } from "./context";
import { decideToolCall, executeToolCall, prepareToolCall, runToolCall } from "./registry";
import { TOOL_DEFINITIONS } from "./schemas";

let root: string;
let ws: string;
let server: Server;
let base: string;
const cap = await detectSandbox();

async function context(settings: Partial<ToolSettings> = {}, sandbox = cap): Promise<ToolContext> {
  return createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), settings, sandbox });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-registry-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "a.txt"), "alpha\n");
  server = createServer((req, res) => {
    if (req.url === "/hello") res.writeHead(200, { "content-type": "text/plain" }).end("hello from the test server\n");
    else if (req.url === "/big") res.writeHead(200, { "content-type": "text/plain" }).end("z".repeat(3 * 1024 * 1024));
    else if (req.url === "/bin") res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.alloc(10));
    else if (req.url === "/hop") res.writeHead(302, { location: "/hello" }).end();
    else if (req.url === "/away") res.writeHead(302, { location: "http://localhost.example.invalid/x" }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe("definitions", () => {
  test("one M2 function definition per tool, with exactly the documented parameters", () => {
    const params = Object.fromEntries(
      TOOL_DEFINITIONS.map((d) => {
        const schema = d.function.parameters as { properties: Record<string, unknown>; required?: string[]; additionalProperties: boolean };
        expect(d.type).toBe("function");
        expect(d.function.description.length).toBeGreaterThan(20);
        expect(schema.additionalProperties).toBe(false);
        return [d.function.name, { all: Object.keys(schema.properties), required: schema.required ?? [] }];
      }),
    );
    expect(Object.keys(params)).toEqual([...TOOL_NAMES]);
    expect(params).toEqual({
      list_files: { all: ["path", "depth"], required: ["path"] },
      read_file: { all: ["path", "start_line", "end_line"], required: ["path"] },
      write_file: { all: ["path", "content"], required: ["path", "content"] },
      edit_file: { all: ["path", "old_string", "new_string"], required: ["path", "old_string", "new_string"] },
      search: { all: ["pattern", "path"], required: ["pattern"] },
      run_command: { all: ["command", "timeout_s"], required: ["command"] },
      fetch_url: { all: ["url"], required: ["url"] },
      todo: { all: ["items"], required: ["items"] },
      check_page: { all: ["path"], required: ["path"] },
    });
    expect(JSON.parse(JSON.stringify(TOOL_DEFINITIONS))).toEqual(TOOL_DEFINITIONS);
  });
});

describe("the prepare → decide → execute contract", () => {
  test("malformed calls come back as errors the model can read", async () => {
    const ctx = await context();
    const ask = async () => true;
    const unknown = await runToolCall(ctx, { name: "rm_rf", arguments: "{}" }, { mode: "full_auto" }, ask);
    expect(unknown).toMatchObject({ decision: null, result: { ok: false, error: { code: "bad_request", details: { reason: "unknown_tool" } } } });
    const json = await runToolCall(ctx, { name: "read_file", arguments: "{path:" }, { mode: "full_auto" }, ask);
    expect(json.result).toMatchObject({ ok: false, error: { details: { reason: "bad_arguments_json" } } });
    const extra = await runToolCall(ctx, { name: "read_file", arguments: '{"path":"a.txt","sudo":true}' }, { mode: "full_auto" }, ask);
    expect(extra.result.ok).toBe(false);
    expect(extra.result.content).toContain("Invalid arguments for read_file");
  });

  test("execution needs this call's own decision, an approval for ask, and is single-use", async () => {
    const ctx = await context();
    const write = await prepareToolCall(ctx, { name: "write_file", arguments: { path: "b.txt", content: "b" } });
    await expect(executeToolCall(ctx, write, { userApproved: true })).rejects.toMatchObject({ code: "unauthorized", details: { reason: "no_decision" } });
    expect(decideToolCall(write, { mode: "ask" }).kind).toBe("ask");
    await expect(executeToolCall(ctx, write, { userApproved: false })).rejects.toMatchObject({ details: { reason: "approval_required" } });
    expect((await executeToolCall(ctx, write, { userApproved: true })).content).toBe("Wrote 1 bytes to b.txt (created).");
    await expect(executeToolCall(ctx, write, { userApproved: true })).rejects.toMatchObject({ details: { reason: "no_decision" } });
    const denied = await prepareToolCall(ctx, { name: "write_file", arguments: { path: "c.txt", content: "c" } });
    expect(decideToolCall(denied, { mode: "read_only" }).kind).toBe("deny");
    await expect(executeToolCall(ctx, denied, { userApproved: true })).rejects.toMatchObject({ details: { reason: "denied_by_policy" } });
  });

  test("runToolCall asks only when the policy says ask, and reports a decline", async () => {
    const ctx = await context();
    const asked: string[] = [];
    const ask = async (decision: { action: string }) => {
      asked.push(decision.action);
      return false;
    };
    const read = await runToolCall(ctx, { name: "read_file", arguments: { path: "a.txt" } }, { mode: "ask" }, ask);
    expect(read.result).toMatchObject({ ok: true, content: "alpha" });
    const write = await runToolCall(ctx, { name: "edit_file", arguments: { path: "a.txt", old_string: "alpha", new_string: "beta" } }, { mode: "ask" }, ask);
    expect(write).toMatchObject({ approved: false, result: { ok: false, content: "The user declined this action." } });
    expect(asked).toEqual(["edit a.txt"]);
  });

  test("todo returns the plan", async () => {
    const ctx = await context();
    const items = [
      { content: "read the failing test", status: "completed" },
      { content: "fix the parser", status: "in_progress" },
      { content: "run npm test", status: "pending" },
    ];
    const run = await runToolCall(ctx, { name: "todo", arguments: { items } }, { mode: "ask" }, async () => false);
    expect(run.result).toMatchObject({ ok: true, content: "Plan (1/3 done):\n[x] 1. read the failing test\n[>] 2. fix the parser\n[ ] 3. run npm test", data: { items } });
  });
});

describe("fetch_url", () => {
  const full = { mode: "full_auto" } as const;
  const call = (ctx: ToolContext, url: string) => runToolCall(ctx, { name: "fetch_url", arguments: { url } }, full, async () => false);

  test("is off by default: denied before any request", async () => {
    const run = await call(await context(), `${base}/hello`);
    expect(run.decision).toMatchObject({ kind: "deny", reason: "fetch_url is off for this workspace" });
  });

  test("fetches allowlisted hosts, follows allowlisted redirects, caps size, hides binaries", async () => {
    const ctx = await context({ fetch: { enabled: true, allowedHosts: ["127.0.0.1"] } });
    expect((await call(ctx, `${base}/hello`)).result.content).toBe(`HTTP 200 OK (text/plain) from ${base}/hello\nhello from the test server\n`);
    expect((await call(ctx, `${base}/hop`)).result.content).toContain("hello from the test server");
    const big = await call(ctx, `${base}/big`);
    expect(big.result.content).toMatch(/\[… truncated \d+ bytes; the response was larger than 2097152 bytes and was not fully downloaded; the start is shown\]$/);
    expect(Buffer.byteLength(big.result.content)).toBeLessThan(50 * 1024);
    expect((await call(ctx, `${base}/bin`)).result.content).toContain("[binary content, 10 bytes, not shown]");
    const away = await call(ctx, `${base}/away`);
    expect(away.result).toMatchObject({ ok: false, error: { code: "unauthorized", details: { reason: "host_not_allowed" } } });
    expect((await call(ctx, "file:///etc/passwd")).result).toMatchObject({ ok: false, error: { details: { reason: "bad_url_scheme" } } });
    const other = await call(ctx, "http://localhost:1/");
    expect(other.decision?.reason).toBe("localhost is not in this workspace's fetch allowlist");
  });
});

describe("run_command", () => {
  test.skipIf(cap.kind !== "bwrap")("runs in the sandbox and reports exit code, streams and cuts", async () => {
    const ctx = await context();
    const run = await runToolCall(ctx, { name: "run_command", arguments: { command: "echo out; echo err >&2; head -c 30000 /dev/zero | tr '\\0' y; exit 3" } }, { mode: "full_auto" }, async () => false);
    expect(run.decision?.where).toContain("(sandbox: bubblewrap; network off; timeout 120 s)");
    const content = run.result.content;
    expect(content.startsWith("exit code 3\n[stdout]\nout\nyyy")).toBe(true);
    expect(content).toMatch(/\[… truncated \d+ bytes; stdout was cut; rerun with its output redirected to a file inside the workspace and read_file it, or filter it \(grep, head, tail\)\]\n\[stderr\]\nerr$/);
    const slow = await runToolCall(ctx, { name: "run_command", arguments: { command: "sleep 30", timeout_s: 1 } }, { mode: "full_auto" }, async () => false);
    expect(slow.result.content).toBe("killed: timed out after 1 s (every process of the command was stopped)");
  });

  test("without a sandbox: disabled with the reason, unless the workspace opted in (then flagged)", async () => {
    const none = { kind: "none", reason: "bubblewrap (bwrap) is not installed" } as const;
    const off = await runToolCall(await context({}, none), { name: "run_command", arguments: { command: "echo hi" } }, { mode: "full_auto" }, async () => true);
    expect(off.decision).toMatchObject({ kind: "deny", reason: "run_command is disabled: bubblewrap (bwrap) is not installed; this workspace has not allowed unsandboxed commands" });
    const ctx = await context({ allowUnsandboxed: true }, none);
    process.env["M2D_SECRET_FOR_TEST"] = "leaked";
    const on = await runToolCall(ctx, { name: "run_command", arguments: { command: 'echo "hi [$M2D_SECRET_FOR_TEST]"' } }, { mode: "full_auto" }, async () => true);
    delete process.env["M2D_SECRET_FOR_TEST"];
    expect(on.decision?.kind).toBe("ask");
    expect(on.result).toMatchObject({ ok: true, content: "[WARNING: ran without a sandbox]\nexit code 0\n[stdout]\nhi []" });
    expect((on.result as { data: { unsandboxed: boolean } }).data.unsandboxed).toBe(true);
  });
});
