import { Template } from "@huggingface/jinja";
import { getLlama, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureM3TestModel, m3ExpectedOutput, m3ExpectedTokens, readM3ChatTemplate, type M3ScriptedScenario } from "./m3-test-models";
import { validateModel } from "./validate";

// Scripted minimax-m3 GGUFs straight through node-llama-cpp's prebuilt llama.cpp (which has models/minimax-m3.cpp and the MSA cache).

const SAMPLING = { temperature: 1, topK: 40, topP: 0.95 } as const;
type Message = Record<string, unknown>;
const user: Message = { role: "user", content: "What is in this workspace?" };
const tools = [{ type: "function", function: { name: "list_files", description: "List files.", parameters: { type: "object", properties: { path: { type: "string" } } } } }];

let llama: Llama;
let template: Template;
const models = new Map<M3ScriptedScenario, LlamaModel>();

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
  template = new Template(await readM3ChatTemplate());
});

afterAll(async () => {
  for (const m of models.values()) await m.dispose();
  await llama?.dispose();
});

async function model(scenario: M3ScriptedScenario): Promise<LlamaModel> {
  const cached = models.get(scenario);
  if (cached) return cached;
  const loaded = await llama.loadModel({ modelPath: await ensureM3TestModel(scenario) });
  models.set(scenario, loaded);
  return loaded;
}

async function generate(scenario: M3ScriptedScenario, prompt: string, flashAttention: boolean) {
  const m = await model(scenario);
  const context = await m.createContext({ contextSize: 2048, threads: 1, flashAttention });
  try {
    const generated: Token[] = [];
    let minConfidence = 1;
    const seed = Math.floor(Math.random() * 2 ** 31);
    for await (const out of context.getSequence().evaluateWithMetadata(m.tokenize(prompt, true), { confidence: true }, { ...SAMPLING, seed })) {
      generated.push(out.token);
      minConfidence = Math.min(minConfidence, out.confidence);
      if (generated.length > 500) break;
    }
    return { text: m.detokenize(generated), tokens: generated.length, minConfidence };
  } finally {
    await context.dispose();
  }
}

const render = (messages: Message[], extra: Record<string, unknown> = {}) => template.render({ messages, add_generation_prompt: true, tools, ...extra });

function afterTool(scenario: M3ScriptedScenario): Message[] {
  return [
    user,
    { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "list_files", arguments: { path: "." } } }] },
    { role: "tool", content: `README.md\npackage.json (${scenario})` },
  ];
}

describe("scripted minimax-m3 test models in node-llama-cpp (prebuilt CPU build)", { timeout: 120_000 }, () => {
  it("the generated file passes the validator as minimax-m3", async () => {
    const validated = await validateModel(await ensureM3TestModel("agent"));
    expect(validated.architecture).toBe("minimax-m3");
  });

  // flash attention on runs MSA (sparse blocks 1+); off, llama.cpp falls back to dense attention
  for (const flashAttention of [true, false]) {
    for (const scenario of ["chat", "agent"] as const) {
      it(`${scenario}, flash attention ${flashAttention ? "on (MSA)" : "off"}: turn 1 replays its script`, async () => {
        const out = await generate(scenario, render([user]), flashAttention);
        expect(out.text).toBe(m3ExpectedOutput(scenario, "turn1"));
        expect(out.tokens).toBe(m3ExpectedTokens(scenario, "turn1").length);
        expect(out.minConfidence).toBeGreaterThan(0.999);
      });

      it(`${scenario}, flash attention ${flashAttention ? "on (MSA)" : "off"}: after a tool response it switches to the second script`, async () => {
        const out = await generate(scenario, render(afterTool(scenario)), flashAttention);
        expect(out.text).toBe(m3ExpectedOutput(scenario, "afterTool"));
        expect(out.minConfidence).toBeGreaterThan(0.999);
      });
    }
  }

  for (const mode of ["enabled", "disabled", "adaptive"] as const) {
    it(`thinking mode ${mode}: the prompt's last token starts the same replay, and the branch still fires`, async () => {
      expect((await generate("agent", render([user], { thinking_mode: mode }), true)).text).toBe(m3ExpectedOutput("agent", "turn1"));
      expect((await generate("agent", render(afterTool("agent"), { thinking_mode: mode }), true)).text).toBe(m3ExpectedOutput("agent", "afterTool"));
    });
  }
});
