import { Template } from "@huggingface/jinja";
import { getLlama, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput, expectedTokens, LONG_LINES, readChatTemplate, type ScriptedScenario } from "./m2-test-models";

const SAMPLING = { temperature: 1, topK: 40, topP: 0.95 } as const;

const tools = [
  { type: "function", function: { name: "list_files", description: "List the files in a directory.", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } },
  { type: "function", function: { name: "read_file", description: "Read a text file.", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } },
];

type Message = Record<string, unknown>;
const user: Message = { role: "user", content: "What is in this workspace?" };

const call = (name: string, path: string) => ({ type: "function", function: { name, arguments: { path } } });

/** Turn 1 as the app would send it back (reasoning split off, calls structured), then the tool results. */
function afterToolMessages(scenario: ScriptedScenario): Message[] {
  const [reasoning = "", rest = ""] = expectedOutput(scenario, "turn1").split("</think>");
  const calls = scenario === "parallel" ? [call("list_files", "."), call("read_file", "README.md")] : [call("list_files", ".")];
  return [
    user,
    {
      role: "assistant",
      content: rest.split("<minimax:tool_call>")[0]?.trim() ?? "",
      reasoning_content: reasoning.trim(),
      tool_calls: calls,
    },
    { role: "tool", content: "README.md\npackage.json\nsrc" },
    ...(scenario === "parallel" ? [{ role: "tool", content: "# Demo project" }] : []),
  ];
}

let llama: Llama;
let template: Template;
const models = new Map<ScriptedScenario, LlamaModel>();

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
  template = new Template(await readChatTemplate());
});

afterAll(async () => {
  for (const m of models.values()) await m.dispose();
  await llama?.dispose();
});

async function model(scenario: ScriptedScenario): Promise<LlamaModel> {
  const cached = models.get(scenario);
  if (cached) return cached;
  const loaded = await llama.loadModel({ modelPath: await ensureTestModel(scenario) });
  models.set(scenario, loaded);
  return loaded;
}

async function generate(scenario: ScriptedScenario, messages: Message[], withTools: boolean) {
  const m = await model(scenario);
  const prompt = template.render({ messages, add_generation_prompt: true, ...(withTools ? { tools } : {}) });
  const context = await m.createContext({ contextSize: 4096, threads: 1 });
  try {
    const tokens = m.tokenize(prompt, true);
    const generated: Token[] = [];
    let minConfidence = 1;
    const seed = Math.floor(Math.random() * 2 ** 31);
    for await (const out of context.getSequence().evaluateWithMetadata(tokens, { confidence: true }, { ...SAMPLING, seed })) {
      generated.push(out.token);
      minConfidence = Math.min(minConfidence, out.confidence);
      if (generated.length > LONG_LINES + 200) break;
    }
    return { text: m.detokenize(generated), tokenCount: generated.length, minConfidence };
  } finally {
    await context.dispose();
  }
}

// generous: the first run generates the models, and CI boxes are often loaded
describe("scripted minimax-m2 test models in node-llama-cpp", { timeout: 120_000 }, () => {
  for (const scenario of ["chat", "agent", "parallel", "malformed"] as const) {
    it(`${scenario}: turn 1 replays its script`, async () => {
      const out = await generate(scenario, [user], scenario !== "chat");
      expect(out.text).toBe(expectedOutput(scenario, "turn1"));
      expect(out.minConfidence).toBeGreaterThan(0.999);
    });
  }

  for (const scenario of ["chat", "agent", "parallel", "malformed"] as const) {
    it(`${scenario}: after a tool response it switches to the second script`, async () => {
      const out = await generate(scenario, afterToolMessages(scenario), true);
      expect(out.text).toBe(expectedOutput(scenario, "afterTool"));
      expect(out.minConfidence).toBeGreaterThan(0.999);
    });
  }

  it("a later turn without any tool response still replays turn 1", async () => {
    const turn1 = expectedOutput("agent", "turn1");
    const history = [user, { role: "assistant", content: turn1.split("</think>")[1]?.trim() ?? "" }, { role: "user", content: "Again?" }];
    const out = await generate("agent", history, true);
    expect(out.text).toBe(turn1);
  });

  it("long: streams more than 2000 tokens, then stops", async () => {
    const out = await generate("long", [user], false);
    expect(out.tokenCount).toBeGreaterThanOrEqual(2000);
    expect(out.tokenCount).toBe(expectedTokens("long", "turn1").length);
    expect(out.text).toBe(expectedOutput("long", "turn1"));
  });
});
