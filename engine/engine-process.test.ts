import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, ToolDefinition } from "../app/m2/types";
import { buildScriptedModel } from "../node/gguf/m2-scripted-model";
import { ensureTestModel, expectedOutput, readChatTemplate } from "../node/gguf/m2-test-models";
import { writeGguf } from "../node/gguf/writer";
import { joinText, startEngineHarness } from "../testing/engine-harness";

// The real engine process (dist/engine/main.js) behind the app's supervisor, running scripted minimax-m2 models.

const tools: ToolDefinition[] = [
  {
    type: "function",
    function: {
      name: "list_files",
      description: "List files in the workspace",
      parameters: { type: "object", properties: { path: { type: "string" }, depth: { type: "integer" } }, required: ["path"] },
    },
  },
];

let harness: ReturnType<typeof startEngineHarness>;
let agentModel: string;
let longModel: string;
const scratch = mkdtempSync(join(tmpdir(), "m2d-engine-"));

beforeAll(async () => {
  [agentModel, longModel] = await Promise.all([ensureTestModel("agent"), ensureTestModel("long")]);
  harness = startEngineHarness();
}, 120_000);

afterAll(async () => {
  await harness.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("engine process with the scripted agent model", () => {
  it("runs a tool loop: a typed tool call, then a final answer, reasoning in both steps, KV reused", async () => {
    const loaded = await harness.models.load(agentModel, { gpu: "cpu", contextSize: 4096 });
    expect(loaded.report).toMatchObject({ architecture: "minimax-m2", isM2: true, chatTemplate: "official" });
    expect(loaded.promptFormat).toBe("m2-renderer");

    const messages: ChatMessage[] = [{ role: "user", content: "Which files are in my workspace?" }];
    const step1 = await harness.generate("step-1", { messages, tools });
    const call = step1.find((e) => e.type === "tool_call_completed");
    expect(call).toMatchObject({ name: "list_files", arguments: { path: "." } });
    expect(call && "error" in call ? call.error : undefined).toBeUndefined();
    expect(joinText(step1, "reasoning_delta")).toContain("I should call list_files");
    expect(step1.at(-1)).toEqual({ type: "done", finish_reason: "tool_calls" });
    const stats1 = step1.find((e) => e.type === "stats");

    const reasoning1 = joinText(step1, "reasoning_delta");
    const step2 = await harness.generate("step-2", {
      messages: [
        ...messages,
        { role: "assistant", content: "", reasoning_content: reasoning1, tool_calls: [{ id: "c1", type: "function", function: { name: "list_files", arguments: { path: "." } } }] },
        { role: "tool", tool_call_id: "c1", content: "README.md\nsrc/\npackage.json" },
      ],
      tools,
    });
    expect(joinText(step2, "reasoning_delta")).toContain("The tool returned the directory listing");
    expect(joinText(step2, "content_delta")).toBe(expectedOutput("agent", "afterTool").split("</think>\n\n")[1]);
    expect(step2.at(-1)).toEqual({ type: "done", finish_reason: "stop" });

    const stats2 = step2.find((e) => e.type === "stats");
    expect(stats1?.type === "stats" && stats2?.type === "stats").toBe(true);
    if (stats1?.type !== "stats" || stats2?.type !== "stats") return;
    // Step 2's prompt extends step 1's: the shared prefix comes from the KV cache.
    expect(stats2.stats.reusedTokens).toBeGreaterThanOrEqual(stats1.stats.promptTokens);
    expect(stats2.stats.evaluatedTokens).toBeLessThan(stats2.stats.promptTokens - stats1.stats.promptTokens + 64);
    expect(stats2.stats.decodeTokensPerSecond).toBeGreaterThan(0);
  });

  it("aborts a long generation quickly and keeps the partial text", async () => {
    await harness.models.load(longModel, { gpu: "cpu", contextSize: 4096 });
    let abortAt = 0;
    let aborted = false;
    const events = await harness.generate("long-abort", { messages: [{ role: "user", content: "Write a lot." }] }, (event) => {
      if (!aborted && event.type === "content_delta" && event.text.includes("Line 20 ")) {
        aborted = true;
        abortAt = performance.now();
        void harness.generations.abort("long-abort");
      }
    });
    const stoppedAfterMs = performance.now() - abortAt;
    expect(events.at(-1)).toMatchObject({ type: "done", finish_reason: "abort" });
    expect(joinText(events, "content_delta")).toContain("Line 20 of the long streaming answer.");
    expect(joinText(events, "content_delta")).not.toContain("Line 2000 ");
    expect(stoppedAfterMs).toBeLessThan(1_000);
  });

  it("ends a stream cut by an engine crash with a typed error, then serves the next request", async () => {
    let killed = false;
    const events = await harness.generate("crash", { messages: [{ role: "user", content: "Write a lot." }] }, (event) => {
      if (!killed && event.type === "content_delta") {
        killed = true;
        process.kill(harness.engine.getStatus().pid!, "SIGKILL");
      }
    });
    expect(events.at(-1)).toMatchObject({ type: "done", finish_reason: "error", error: { code: "engine_crashed" } });
    expect(joinText(events, "reasoning_delta").length).toBeGreaterThan(0);
    // The crash unloaded the model; the next generation reloads it in the restarted engine.
    const after = await harness.generate("after-crash", { messages: [{ role: "user", content: "Again." }], sampling: { maxTokens: 8 } });
    expect(after.at(-1)).toMatchObject({ type: "done", finish_reason: "length" });
    expect(harness.engine.getStatus().restarts).toBe(1);
  });

  it("refuses a corrupt file with a typed error and stays alive", async () => {
    const bad = join(scratch, "bad.gguf");
    writeFileSync(bad, "definitely not a gguf file");
    await expect(harness.models.load(bad)).rejects.toMatchObject({ code: "model_invalid", details: { reason: "not_gguf" } });
    await expect(harness.models.inspect(join(scratch, "missing.gguf"))).rejects.toMatchObject({ code: expect.stringMatching(/model_invalid|not_found/) });
    expect((await harness.engine.request({ op: "ping" })).pid).toBe(harness.engine.getStatus().pid);
  });

  it("stops a chat template whose loops never end at its budget: a typed refusal, the engine alive and serving", async () => {
    const spinning = join(scratch, "spinning-template.gguf");
    const spin = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    await writeGguf(spinning, buildScriptedModel("chat", spin + (await readChatTemplate())).input);
    await harness.models.load(spinning, { gpu: "cpu", contextSize: 2048 });
    const { pid } = await harness.engine.request({ op: "ping" });
    const restarts = harness.engine.getStatus().restarts;
    const events = await harness.generate("spin", { messages: [{ role: "user", content: "Hello" }] });
    expect(events.at(-1)).toMatchObject({ type: "done", finish_reason: "error", error: { code: "bad_request", message: expect.stringMatching(/chat template .*it was stopped/) } });
    await expect(harness.engine.request({ op: "renderPrompt", request: { messages: [{ role: "user", content: "Hi" }], sampling: { temperature: 1, topP: 0.95, topK: 40 } } })).rejects.toMatchObject({
      code: "bad_request",
      details: { reason: "template_budget", limit: expect.stringMatching(/^(time|steps)$/) },
    });
    expect(harness.engine.getStatus()).toMatchObject({ state: "ready", pid, restarts });
    await harness.models.load(agentModel, { gpu: "cpu", contextSize: 4096 });
    const after = await harness.generate("after-spin", { messages: [{ role: "user", content: "Again." }], sampling: { maxTokens: 8 } });
    expect(after.at(-1)).toMatchObject({ type: "done", finish_reason: "length" });
  }, 120_000);
});
