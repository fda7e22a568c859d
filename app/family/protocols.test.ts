import { describe, expect, it } from "vitest";
import { renderM2Prompt } from "../m2/prompt";
import { promptCorpus } from "../m2/prompt-corpus";
import { summarizeM2Events, type M2EndReason, type M2ParseEvent, type M2ParsedOutput } from "../m2/parser";
import type { ModelProtocol } from "./protocol";
import { familyById } from "./registry";

const protocol = (id: "minimax-m2" | "minimax-m2.1" | "minimax-m2.5" | "minimax-m2.7"): ModelProtocol => {
  const family = familyById(id);
  if (!family) throw new Error(`no family ${id}`);
  return family.protocol;
};

function run(p: ModelProtocol, chunks: readonly string[], reason: M2EndReason = "stop"): M2ParsedOutput {
  const parser = p.createParser({ tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }] });
  const events: M2ParseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end(reason));
  return summarizeM2Events(events);
}

/** Every way to cut the text in two or three, one character at a time, and a few random cuts. */
function chunkings(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  for (let i = 1; i < text.length; i += 3) {
    for (let j = i + 1; j < text.length; j += 5) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

/** The split must not depend on how the engine cut the text into tokens. */
function expectUnderAnyChunking(p: ModelProtocol, raw: string, expected: Partial<M2ParsedOutput>, reason: M2EndReason = "stop") {
  for (const chunks of chunkings(raw)) {
    const got = run(p, chunks, reason);
    expect({ chunks, ...pick(got, expected) }).toEqual({ chunks, ...expected });
  }
}

function pick(got: M2ParsedOutput, expected: Partial<M2ParsedOutput>): Partial<M2ParsedOutput> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, got[k as keyof M2ParsedOutput]]));
}

const SUCCESSORS = ["minimax-m2.1", "minimax-m2.5", "minimax-m2.7"] as const;

describe("M2-family prompts: each successor renders as its template does", () => {
  const identity = (version: string) => `You are a helpful assistant. Your name is MiniMax-M${version} and is built by MiniMax.`;
  // M2.1's template prints nothing for null content; M2.5's and M2.7's print Python's None, as M2's does.
  it.each([
    ["minimax-m2.1", "2.1", ""],
    ["minimax-m2.5", "2.5", "None"],
    ["minimax-m2.7", "2.7", "None"],
  ] as const)("%s: its identity, and %j for null content, on the whole corpus", (id, version, noneText) => {
    for (const { request } of promptCorpus) expect(protocol(id).renderPrompt(request)).toBe(renderM2Prompt(request, { defaultIdentity: identity(version), noneText }));
  });
});

describe("M2-family protocols: the reasoning/content split of each model's known output shapes", () => {
  it.each(["minimax-m2", ...SUCCESSORS] as const)("%s: the usual shape", (id) => {
    expectUnderAnyChunking(protocol(id), "Think.\n</think>\n\nAnswer.", { reasoning: "Think.", content: "Answer.", errors: [] });
  });

  it.each(["minimax-m2", ...SUCCESSORS] as const)("%s: the model writes its own opening <think> (M2.5 does) although the prompt pre-fills one", (id) => {
    expectUnderAnyChunking(protocol(id), "<think>\nThink.\n</think>\n\nAnswer.", { reasoning: "Think.", content: "Answer.", errors: [] });
  });

  it.each(SUCCESSORS)("%s: the model loses </think> (M2.1 does) and stops: its text is the answer, flagged", (id) => {
    expectUnderAnyChunking(protocol(id), "The answer is 4.\n", {
      reasoning: "The answer is 4.\n",
      content: "The answer is 4.",
      errors: [{ code: "missing_think_end", message: "the model stopped without </think>; its reasoning is repeated as the answer", raw: "" }],
      finish_reason: "stop",
    });
  });

  it.each(SUCCESSORS)("%s: the model loses </think> before a tool call: the call still runs", (id) => {
    const got = run(protocol(id), ["Need weather.\n<minimax:tool_call>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Paris</parameter>\n</invoke>\n</minimax:tool_call>"]);
    expect(got).toMatchObject({ reasoning: "Need weather.", content: "", finish_reason: "tool_calls" });
    expect(got.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", arguments: { city: "Paris" } })]);
    expect(got.errors.map((e) => e.code)).toEqual(["missing_think_end"]);
  });

  it.each(SUCCESSORS)("%s: a length cut mid-reasoning stays reasoning (the model was not done)", (id) => {
    expectUnderAnyChunking(protocol(id), "Still thinking", { reasoning: "Still thinking", content: "", errors: [], finish_reason: "length" }, "length");
  });

  it("minimax-m2 keeps an unclosed reasoning as reasoning, as it always has", () => {
    expectUnderAnyChunking(protocol("minimax-m2"), "The answer is 4.", { reasoning: "The answer is 4.", content: "", errors: [] });
  });

  it.each(["minimax-m2", ...SUCCESSORS] as const)("%s: the generation prefill is the prompt's open <think>", (id) => {
    const p = protocol(id);
    expect(p.generationPrefill).toBe("<think>\n");
    expect(p.renderPrompt({ messages: [{ role: "user", content: "x" }] }).endsWith(`]~b]ai\n${p.generationPrefill}`)).toBe(true);
  });
});
