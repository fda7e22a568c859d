import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { renderM2Prompt } from "../../app/m2/prompt";
import { recognizeM2Template } from "../../app/m2/template-detect";
import { ensureTestModel, expectedOutput, readChatTemplate, type ScriptedIdentity } from "../../node/gguf/m2-test-models";
import { ensureM3TestModel, m3ExpectedOutput, readM3ChatTemplate } from "../../node/gguf/m3-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// Each MiniMax model through the real engine process (prebuilt node-llama-cpp, CPU): scripted GGUFs that carry
// that model's general.name and a revision of its template, as the models' own GGUFs do. Each must be detected,
// rendered by the TS renderer with what its template says, and split into reasoning and answer.

let harness: ReturnType<typeof startEngineHarness>;
let m2File: string;

beforeAll(async () => {
  m2File = await readChatTemplate();
  harness = startEngineHarness();
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const identity = (version: string) => `You are a helpful assistant. Your name is MiniMax-M${version} and is built by MiniMax.`;
const withIdentity = (template: string, text: string) => template.replace('set model_identity = "You are a helpful assistant."', `set model_identity = "${text}"`);
const noneFix = (template: string) =>
  template.replace("    {%- else -%}\n        {{- content }}", "    {%- elif content is none -%}\n        {{- '' }}\n    {%- else -%}\n        {{- content }}");

const split = (events: readonly GenerationEvent[]) => ({ reasoning: joinText(events, "reasoning_delta"), content: joinText(events, "content_delta") });
function m2Split(): { reasoning: string; content: string } {
  // The template writes reasoning as `…\n</think>\n\n`: the newlines are framing, not reasoning.
  const m = /^([\s\S]*?)\n<\/think>\n\n([\s\S]*)$/.exec(expectedOutput("chat", "turn1"));
  if (!m) throw new Error("the chat script closes its reasoning");
  return { reasoning: m[1] ?? "", content: m[2] ?? "" };
}

describe("MiniMax-M2.x models in the engine process", { timeout: 120_000 }, () => {
  const cases: Array<{ version: string; family: string; template: () => string; noneText: string }> = [
    { version: "2.1", family: "minimax-m2.1", template: () => noneFix(withIdentity(m2File, identity("2.1"))), noneText: "" },
    { version: "2.5", family: "minimax-m2.5", template: () => withIdentity(m2File, identity("2.5")), noneText: "None" },
    { version: "2.7", family: "minimax-m2.7", template: () => withIdentity(m2File, identity("2.7")), noneText: "None" },
  ];

  it.each(cases.map((c) => [c.version, c] as const))("MiniMax-M%s: detected, its own template recognised and rendered exactly, its script split", async (_, { version, family, template, noneText }) => {
    const chatTemplate = template();
    const model: ScriptedIdentity = { label: `m${version.replace(".", "")}`, generalName: `MiniMax-M${version}`, chatTemplate };
    const loaded = await harness.models.load(await ensureTestModel("chat", model), { gpu: "cpu", contextSize: 2048 });
    expect(loaded.report).toMatchObject({ family, familyName: `MiniMax-M${version}`, chatTemplate: "official", architecture: "minimax-m2" });
    expect(loaded.promptFormat).toBe("m2-renderer");

    const request = { messages: [{ role: "user" as const, content: "hi" }, { role: "assistant" as const, content: null }, { role: "user" as const, content: "again" }] };
    const { prompt } = (await harness.engine.request({ op: "renderPrompt", request: { ...request, sampling: { temperature: 1, topP: 0.95, topK: 40 } } })) as { prompt: string };
    const revision = recognizeM2Template(chatTemplate, m2File);
    expect(revision).toEqual({ defaultIdentity: identity(version), noneText });
    expect(prompt).toBe(renderM2Prompt(request, revision));
    expect(prompt).toContain(`]~b]system\n${identity(version)}[e~[`);
    expect(prompt).toContain(`]~b]ai\n${noneText}[e~[`);

    const events = await harness.generate(`m${version}-chat`, { messages: [{ role: "user", content: "Show me a tiny example." }] });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(split(events)).toEqual(m2Split());
  });

  it("an M2 GGUF whose template is none of MiniMax's: rendered from the file itself, still chats", async () => {
    const chatTemplate = `${m2File.trimEnd()}\n{#- a fine-tune's note -#}\n`;
    const loaded = await harness.models.load(await ensureTestModel("chat", { label: "custom", generalName: "MiniMax-M2-finetune", chatTemplate }), { gpu: "cpu", contextSize: 2048 });
    expect(loaded.report).toMatchObject({ family: "minimax-m2", chatTemplate: "modified" });
    expect(loaded.promptFormat).toBe("embedded-template");
    const events = await harness.generate("custom-chat", { messages: [{ role: "user", content: "Show me a tiny example." }] });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(split(events)).toEqual(m2Split());
    expect(harness.engine.getStatus().restarts).toBe(0);
  });
});

describe("MiniMax-M3.1-Flash in the engine process", { timeout: 120_000 }, () => {
  it("detected by its name as M3.1 on M3's template and protocol, its script split", async () => {
    const chatTemplate = await readM3ChatTemplate();
    const loaded = await harness.models.load(await ensureM3TestModel("chat", { label: "m31flash", generalName: "MiniMax-M3.1-Flash", chatTemplate }), { gpu: "cpu", contextSize: 2048 });
    expect(loaded.report).toMatchObject({ family: "minimax-m3.1", familyName: "MiniMax-M3.1", chatTemplate: "official", architecture: "minimax-m3" });
    expect(loaded.promptFormat).toBe("m2-renderer");
    const events = await harness.generate("m31-chat", { messages: [{ role: "user", content: "Show me a tiny example." }] });
    expect(events.at(-1)).not.toHaveProperty("error");
    const m = /^<mm:think>([\s\S]*)<\/mm:think>([\s\S]*)$/.exec(m3ExpectedOutput("chat", "turn1"));
    expect(split(events)).toEqual({ reasoning: m?.[1], content: m?.[2] });
  });
});
