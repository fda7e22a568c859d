import { describe, expect, it } from "vitest";
import type { M2EndReason, M2ParseEvent } from "../m2/parser-events";
import { joinM2Events, type M2ParsedOutput } from "../m2/parser-output";
import { createM3StreamParser, parseM3Output, type M3StreamParserOptions } from "./parser";
import { expectWellFormed, mulberry32, randomChunks } from "../m2/parser-test-helpers";
import { m3ParserFixtures, type M3ParserFixture } from "./parser-fixtures";
import { renderM3Prompt } from "./prompt";

function options(fixture: M3ParserFixture): M3StreamParserOptions {
  const out: M3StreamParserOptions = {};
  if (fixture.tools !== undefined) out.tools = fixture.tools;
  if (fixture.thinkingMode !== undefined) out.thinkingMode = fixture.thinkingMode;
  return out;
}

function runChunks(chunks: readonly string[], opts: M3StreamParserOptions, reason: M2EndReason): M2ParseEvent[] {
  const parser = createM3StreamParser(opts);
  const events: M2ParseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end(reason));
  return events;
}

const runFixture = (fixture: M3ParserFixture, chunks: readonly string[]): M2ParseEvent[] =>
  joinM2Events(runChunks(chunks, options(fixture), fixture.reason ?? "stop"));

describe("M3 parser fixtures", () => {
  it("has at least 30 uniquely named cases", () => {
    expect(m3ParserFixtures.length).toBeGreaterThanOrEqual(30);
    expect(new Set(m3ParserFixtures.map((fixture) => fixture.name)).size).toBe(m3ParserFixtures.length);
  });

  for (const fixture of m3ParserFixtures) {
    describe(fixture.name, () => {
      it("expected events are already joined", () => {
        expect(joinM2Events(fixture.expected)).toEqual(fixture.expected);
      });

      it("parses in one chunk", () => {
        const events = runChunks([fixture.raw], options(fixture), fixture.reason ?? "stop");
        expectWellFormed(events);
        expect(joinM2Events(events)).toEqual(fixture.expected);
      });

      it("gives the same events split at every point", () => {
        for (let at = 0; at <= fixture.raw.length; at++) {
          const events = runFixture(fixture, [fixture.raw.slice(0, at), fixture.raw.slice(at)]);
          if (JSON.stringify(events) !== JSON.stringify(fixture.expected)) {
            expect({ splitAt: at, events }).toEqual({ splitAt: at, events: fixture.expected });
          }
        }
      });

      it("gives the same events char by char", () => {
        const events = runChunks([...fixture.raw.split("")], options(fixture), fixture.reason ?? "stop");
        expectWellFormed(events);
        expect(joinM2Events(events)).toEqual(fixture.expected);
      });

      it("gives the same events for random chunkings", () => {
        const random = mulberry32(fixture.name.length * 7919);
        for (let round = 0; round < 25; round++) {
          const chunks = randomChunks(fixture.raw, random);
          const events = runFixture(fixture, chunks);
          if (JSON.stringify(events) !== JSON.stringify(fixture.expected)) {
            expect({ chunks, events }).toEqual({ chunks, events: fixture.expected });
          }
        }
      });
    });
  }
});

/** The assistant turn the template renders for a parsed message: what the model writes in adaptive mode. */
function renderAssistant(message: M2ParsedOutput): string {
  const prompt = renderM3Prompt({
    messages: [
      { role: "user", content: "x" },
      {
        role: "assistant",
        content: message.content,
        reasoning_content: message.reasoning,
        tool_calls: message.tool_calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })),
      },
    ],
    add_generation_prompt: false,
  });
  const turn = prompt.slice(prompt.lastIndexOf("]~b]ai\n") + "]~b]ai\n".length);
  expect(turn.endsWith("[e~[\n")).toBe(true);
  return turn.slice(0, -"[e~[\n".length);
}

describe("round trip through renderM3Prompt", () => {
  for (const fixture of m3ParserFixtures.filter((candidate) => candidate.roundTrips === true)) {
    it(fixture.name, () => {
      const first = parseM3Output(fixture.raw, options(fixture));
      expect(first.errors).toEqual([]);
      const rendered = renderAssistant(first);
      if (fixture.canonical === true) expect(rendered).toBe(fixture.raw);
      const tools = fixture.tools === undefined ? {} : { tools: fixture.tools };
      expect(parseM3Output(rendered, tools)).toEqual(first);
    });
  }
});

describe("createM3StreamParser", () => {
  it("ends with exactly one done, and ignores input after it", () => {
    const parser = createM3StreamParser({ thinkingMode: "enabled" });
    expect(parser.push("Thinking")).toEqual([{ type: "reasoning_delta", text: "Thinking" }]);
    expect(parser.end("stop")).toEqual([{ type: "done", finish_reason: "stop" }]);
    expect(parser.push("more")).toEqual([]);
    expect(parser.end("stop")).toEqual([]);
  });

  it("ends an empty stream with done only", () => {
    expect(runChunks([], {}, "abort")).toEqual([{ type: "done", finish_reason: "abort" }]);
  });

  it("holds back only what could still be markup", () => {
    const parser = createM3StreamParser({ thinkingMode: "enabled" });
    expect(parser.push("Use a <b> tag")).toEqual([{ type: "reasoning_delta", text: "Use a <b> tag" }]);
    expect(parser.push(" then </mm:th")).toEqual([{ type: "reasoning_delta", text: " then " }]);
    expect(parser.push("ink>Hi ]<]mini")).toEqual([{ type: "content_delta", text: "Hi " }]);
    expect(parser.push("max[>[<tool_")).toEqual([]);
    expect(parser.push("call>")).toEqual([]);
  });

  it("streams a parameter's value as it arrives", () => {
    const parser = createM3StreamParser();
    parser.push('</mm:think>]<]minimax[>[<tool_call>\n]<]minimax[>[<invoke name="w">]<]minimax[>[<text>Hello ');
    expect(parser.push("world")).toEqual([
      { type: "tool_call_argument", index: 0, name: "w", parameter: "text", complete: false, value_delta: "world" },
    ]);
  });

  it("parses a long value in linear time", () => {
    const value = "x".repeat(200_000);
    const started = performance.now();
    const parser = createM3StreamParser();
    parser.push('</mm:think>]<]minimax[>[<tool_call>\n]<]minimax[>[<invoke name="w">]<]minimax[>[<text>');
    for (let i = 0; i < value.length; i += 4) parser.push(value.slice(i, i + 4));
    const events = joinM2Events([...parser.push("]<]minimax[>[</text>]<]minimax[>[</invoke>\n]<]minimax[>[</tool_call>"), ...parser.end("stop")]);
    expect(events.at(-2)).toEqual({ type: "tool_call_completed", index: 0, name: "w", arguments: { text: value } });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("survives 20,000 levels of nesting without a stack overflow", () => {
    const raw = `</mm:think>]<]minimax[>[<tool_call>\n]<]minimax[>[<invoke name="f">]<]minimax[>[<v>${"]<]minimax[>[<item>".repeat(20_000)}1${"]<]minimax[>[</item>".repeat(20_000)}]<]minimax[>[</v>]<]minimax[>[</invoke>\n]<]minimax[>[</tool_call>`;
    const parsed = parseM3Output(raw);
    expect(parsed.tool_calls[0]?.error?.code).toBe("argument_too_deep");
    expect(parsed.errors.map((error) => error.code)).toEqual(["argument_too_deep"]);
  });
});
