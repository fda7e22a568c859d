import { describe, expect, it } from "vitest";
import type { M2EndReason, M2ParseEvent } from "./parser-events";
import { m2ParserFixtures, type M2ParserFixture } from "./parser-fixtures";
import { expectWellFormed, mulberry32, randomChunks } from "./parser-test-helpers";
import { createM2StreamParser, joinM2Events, parseM2Output, summarizeM2Events, type M2ParsedOutput } from "./parser";
import type { ToolDefinition } from "./types";

function runChunks(chunks: readonly string[], tools: ToolDefinition[] | undefined, reason: M2EndReason): M2ParseEvent[] {
  const parser = createM2StreamParser(tools === undefined ? {} : { tools });
  const events: M2ParseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end(reason));
  return events;
}

function runFixture(fixture: M2ParserFixture, chunks: readonly string[]): M2ParseEvent[] {
  return joinM2Events(runChunks(chunks, fixture.tools, fixture.reason ?? "stop"));
}

describe("fixtures", () => {
  it("has at least 20 uniquely named cases", () => {
    expect(m2ParserFixtures.length).toBeGreaterThanOrEqual(20);
    expect(new Set(m2ParserFixtures.map((fixture) => fixture.name)).size).toBe(m2ParserFixtures.length);
  });

  for (const fixture of m2ParserFixtures) {
    describe(fixture.name, () => {
      it("expected events are already joined", () => {
        expect(joinM2Events(fixture.expected)).toEqual(fixture.expected);
      });

      it("parses in one chunk", () => {
        const events = runChunks([fixture.raw], fixture.tools, fixture.reason ?? "stop");
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
        const events = runChunks([...fixture.raw.split("")], fixture.tools, fixture.reason ?? "stop");
        expectWellFormed(events);
        expect(joinM2Events(events)).toEqual(fixture.expected);
      });

      it("gives the same events for random chunkings", () => {
        const random = mulberry32(fixture.name.length * 7919);
        for (let round = 0; round < 25; round++) {
          const chunks = randomChunks(fixture.raw, random);
          expect({ chunks, events: runFixture(fixture, chunks) }).toEqual({ chunks, events: fixture.expected });
        }
      });
    });
  }
});

/** What the model would generate for this message after the prompt's "<think>\n" (the chat template's assistant turn). */
function renderAssistant(message: M2ParsedOutput): string {
  let out = `${message.reasoning}\n</think>\n\n${message.content}`;
  if (message.tool_calls.length > 0) {
    out += "\n<minimax:tool_call>\n";
    for (const call of message.tool_calls) {
      out += `<invoke name="${call.name}">\n`;
      for (const [key, value] of Object.entries(call.arguments)) {
        out += `<parameter name="${key}">${typeof value === "string" ? value : JSON.stringify(value)}</parameter>\n`;
      }
      out += "</invoke>\n";
    }
    out += "</minimax:tool_call>";
  }
  return out;
}

describe("round trip through the chat template", () => {
  for (const fixture of m2ParserFixtures.filter((candidate) => candidate.roundTrips === true)) {
    it(fixture.name, () => {
      const first = parseM2Output(fixture.raw, fixture.tools);
      expect(first.errors).toEqual([]);
      const second = parseM2Output(renderAssistant(first), fixture.tools);
      expect(second).toEqual(first);
    });
  }

  // Known asymmetry, from the reference's trimming: a string value that starts or ends with a
  // newline loses one when the template re-renders it, as the template adds none around values.
  it("keeps a value's edge newlines only when the model writes them twice (reference trimming)", () => {
    const raw = '</think>\n\n<minimax:tool_call>\n<invoke name="f">\n<parameter name="v">\n\nx\n\n</parameter>\n</invoke>\n</minimax:tool_call>';
    expect(parseM2Output(raw).tool_calls).toEqual([{ name: "f", arguments: { v: "\nx\n" } }]);
  });
});

describe("parseM2Output", () => {
  it("summarizes reasoning, content, calls and errors", () => {
    const tools: ToolDefinition[] = [
      { type: "function", function: { name: "get_weather", parameters: { properties: { days: { type: "integer" } } } } },
    ];
    const raw =
      'Think.\n</think>\n\nSure.\n<minimax:tool_call>\n<invoke name="get_weather">\n<parameter name="days">2</parameter>\n</invoke>\n<invoke name="nope">\n</invoke>\n</minimax:tool_call>';
    expect(parseM2Output(raw, tools)).toEqual({
      reasoning: "Think.",
      content: "Sure.",
      tool_calls: [
        { name: "get_weather", arguments: { days: 2 } },
        { name: "nope", arguments: {}, error: { code: "unknown_tool", message: 'unknown tool "nope"' } },
      ],
      errors: [{ code: "unknown_tool", message: 'unknown tool "nope"', raw: "", tool_call_index: 1 }],
      finish_reason: "tool_calls",
    });
  });

  it("keeps a parameter named __proto__ as data", () => {
    const raw = '</think>\n\n<minimax:tool_call>\n<invoke name="f">\n<parameter name="__proto__">{"polluted": true}</parameter>\n</invoke>\n</minimax:tool_call>';
    const [call] = parseM2Output(raw).tool_calls;
    expect(Object.getPrototypeOf(call?.arguments)).toBe(Object.prototype);
    expect(Object.keys(call?.arguments ?? {})).toEqual(["__proto__"]);
  });
});

describe("stream lifecycle", () => {
  it("ends with exactly one done, and ignores input after it", () => {
    const parser = createM2StreamParser();
    expect(parser.push("Thinking\n")).toEqual([{ type: "reasoning_delta", text: "Thinking" }]);
    expect(parser.end("stop")).toEqual([{ type: "reasoning_delta", text: "\n" }, { type: "done", finish_reason: "stop" }]);
    expect(parser.push("more")).toEqual([]);
    expect(parser.end("stop")).toEqual([]);
  });

  it("ends an empty stream with done only", () => {
    expect(runChunks([], undefined, "abort")).toEqual([{ type: "done", finish_reason: "abort" }]);
  });

  it("holds back only what could still be markup", () => {
    const parser = createM2StreamParser();
    expect(parser.push("Plan: use a <b> tag")).toEqual([{ type: "reasoning_delta", text: "Plan: use a <b> tag" }]);
    expect(parser.push(" then </thi")).toEqual([{ type: "reasoning_delta", text: " then " }]);
    expect(parser.push("nk>\n\nHi\n")).toEqual([{ type: "content_delta", text: "Hi" }]);
  });
});

const FRAGMENTS = [
  "<think>", "</think>", "<minimax:tool_call>", "</minimax:tool_call>", '<invoke name="get_weather">',
  '<invoke name="other">', "<invoke", "</invoke>", '<parameter name="city">', '<parameter name="days">',
  "<parameter", "</parameter>", "\n", "\n\n", "```", "~~~", "text", " ", "<", ">", "&", '"', "🌦️", "null",
  "[1,", "{}", "42", "</", "<minimax:", "name=",
];

describe("fuzz: any chunking of any output gives the same events", () => {
  const tools: ToolDefinition[] = [
    { type: "function", function: { name: "get_weather", parameters: { properties: { city: { type: "string" }, days: { type: "integer" } } } } },
  ];
  it("holds for 400 random outputs", () => {
    const random = mulberry32(20251105);
    const reasons: M2EndReason[] = ["stop", "length", "abort", "error"];
    for (let round = 0; round < 400; round++) {
      let raw = "";
      const parts = 1 + Math.floor(random() * 40);
      for (let part = 0; part < parts; part++) raw += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] ?? "";
      const reason = reasons[round % reasons.length] ?? "stop";
      const whole = runChunks([raw], tools, reason);
      expectWellFormed(whole);
      const expected = joinM2Events(whole);
      const byChar = runChunks([...raw.split("")], tools, reason);
      expectWellFormed(byChar);
      expect({ raw, events: joinM2Events(byChar) }).toEqual({ raw, events: expected });
      const chunks = randomChunks(raw, random);
      expect({ raw, chunks, events: joinM2Events(runChunks(chunks, tools, reason)) }).toEqual({ raw, chunks, events: expected });
    }
  });
});

describe("long outputs", () => {
  it("stay linear when streamed in tiny chunks", () => {
    const line = "Some text with <tags> & `code`, then a newline\n";
    const value = "x = 1\n".repeat(20_000);
    const raw = `${line.repeat(2_000)}</think>\n\n\`\`\`\n${line.repeat(2_000)}\`\`\`\n<minimax:tool_call>\n<invoke name="f">\n<parameter name="v">${value}</parameter>\n</invoke>\n</minimax:tool_call>`;
    const chunks = randomChunks(raw, mulberry32(7));
    const started = performance.now();
    const summary = joinM2Events(runChunks(chunks, undefined, "stop"));
    expect(performance.now() - started).toBeLessThan(3_000);
    const completed = summary.find((event) => event.type === "tool_call_completed");
    expect(completed?.type === "tool_call_completed" && completed.arguments["v"]).toBe(value.slice(0, -1));
  });
});

describe("mid-line tool blocks", () => {
  const tools: ToolDefinition[] = [
    { type: "function", function: { name: "read_file", parameters: { properties: { path: { type: "string" } } } } },
  ];
  const raw =
    'Смотрю.\n</think>\n\nLet me check 🌦️.<minimax:tool_call>\n<invoke name="read_file">\n<parameter name="path">a.txt</parameter>\n</invoke>\n</minimax:tool_call>';

  it("parse the same from UTF-8 bytes split at every byte boundary", () => {
    const bytes = new TextEncoder().encode(raw);
    const expected = joinM2Events(runChunks([raw], tools, "stop"));
    expect(summarizeM2Events(expected)).toMatchObject({ content: "Let me check 🌦️.", tool_calls: [{ name: "read_file", arguments: { path: "a.txt" } }] });
    for (let at = 0; at <= bytes.length; at++) {
      const decoder = new TextDecoder("utf-8");
      const chunks = [decoder.decode(bytes.slice(0, at), { stream: true }), decoder.decode(bytes.slice(at))];
      expect({ at, events: joinM2Events(runChunks(chunks, tools, "stop")) }).toEqual({ at, events: expected });
    }
  });
});

describe("deeply nested arguments", () => {
  const tools: ToolDefinition[] = [
    { type: "function", function: { name: "record", parameters: { properties: { data: { type: "array" } } } } },
  ];
  const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
  const raw = `Deep.\n</think>\n\n<minimax:tool_call>\n<invoke name="record">\n<parameter name="data">${deep}</parameter>\n</invoke>\n</minimax:tool_call>`;

  it("10,000 levels: a typed call error, the value kept as text, and output that serializes", () => {
    const output = parseM2Output(raw, tools);
    expect(output.tool_calls).toEqual([
      { name: "record", arguments: { data: deep }, error: { code: "argument_too_deep", message: 'the value of "data" nests deeper than 128 levels' } },
    ]);
    expect(output.finish_reason).toBe("stop");
    expect(JSON.parse(JSON.stringify(output))).toEqual(output);
  });

  it("streamed token by token, no event carries a deep value", () => {
    const events = runChunks(raw.match(/[\s\S]{1,7}/g) ?? [], tools, "stop");
    expectWellFormed(events);
    expect(() => JSON.stringify(events)).not.toThrow();
    expect(events.find((event) => event.type === "tool_call_completed")).toMatchObject({ error: { code: "argument_too_deep" } });
  });
});
