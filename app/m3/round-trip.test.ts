import { describe, expect, it } from "vitest";
import { joinM2Events, summarizeM2Events } from "../m2/parser-output";
import { mulberry32 } from "../m2/parser-test-helpers";
import type { ToolDefinition } from "../m2/types";
import { createM3StreamParser } from "./parser";
import { renderM3Prompt } from "./prompt";

/*
 * Generated agent turns: random typed arguments (nested mappings, lists, integers, floats,
 * booleans, awkward strings) with a schema that describes them, rendered by renderM3Prompt as
 * an assistant turn, must parse back to the same reasoning, content and arguments, in any
 * chunking. This ties the renderer and the parser to one protocol. Left out by design: null
 * members (the template drops them) and strings holding the namespace token.
 */

type Schema = Record<string, unknown>;
const PIECES = ["a", "Z", " ", "\n", "\t", "<", ">", "</x>", "<item>", "&", '"', "'", "\\", "é", "天", "🌧️", "1", "-", "true", "null", "[e~[", "</mm:think>", "{}"];
const KEYS = ["path", "item", "x", "line_no", "a-b", "名前", "value", "text", "n"];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** A random parameter schema: scalars, lists of one item schema, mappings of named members. */
function schemaOf(random: () => number, depth: number): Schema {
  const kinds = depth >= 3 ? ["string", "integer", "number", "boolean"] : ["string", "integer", "number", "boolean", "array", "object", "object"];
  const type = pick(random, kinds);
  if (type === "array") return { type, items: schemaOf(random, depth + 1) };
  if (type !== "object") return { type };
  const properties: Record<string, Schema> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) properties[pick(random, KEYS)] = schemaOf(random, depth + 1);
  return { type, properties };
}

/** A random value of that schema (a mapping gets a random subset of its members). */
function valueOf(schema: Schema, random: () => number): unknown {
  switch (schema["type"]) {
    case "string":
      return Array.from({ length: Math.floor(random() * 6) }, () => pick(random, PIECES)).join("");
    case "integer":
      return Math.floor((random() - 0.5) * 10 ** Math.floor(random() * 12));
    case "number":
      return pick(random, [0.5, -2.25, 1e-7, 3.14159, 1.5e17, 123456.789, -0.001]);
    case "boolean":
      return random() < 0.5;
    case "array":
      return Array.from({ length: Math.floor(random() * 4) }, () => valueOf(schema["items"] as Schema, random));
    default: {
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(schema["properties"] as Record<string, Schema>)) {
        if (random() < 0.8) out[key] = valueOf(member, random);
      }
      return out;
    }
  }
}

function randomChunks(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; ) {
    const size = 1 + Math.floor(random() * 12);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

describe("renderM3Prompt → createM3StreamParser round trip", () => {
  it("gives back 300 generated turns exactly, in random chunkings", () => {
    const random = mulberry32(20260602);
    let nested = 0;
    for (let round = 0; round < 300; round++) {
      const parameters: Schema = { type: "object", properties: Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 3) }, () => [pick(random, KEYS), schemaOf(random, 0)])) };
      const args = valueOf(parameters, random) as Record<string, unknown>;
      const tool: ToolDefinition = { type: "function", function: { name: `tool_${round % 5}`, parameters } };
      const reasoning = random() < 0.3 ? "" : `Step ${round}.\nThen <b>act</b>.`;
      const content = random() < 0.5 ? "" : `Calling ${round}: 1 < 2`;
      const prompt = renderM3Prompt({
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content, reasoning_content: reasoning, tool_calls: [{ function: { name: tool.function.name, arguments: args } }] },
        ],
        tools: [tool],
        add_generation_prompt: false,
      });
      const turn = prompt.slice(prompt.lastIndexOf("]~b]ai\n") + 7, -"[e~[\n".length);
      const parser = createM3StreamParser({ tools: [tool] });
      const events = joinM2Events([...randomChunks(turn, random).flatMap((chunk) => parser.push(chunk)), ...parser.end("stop")]);
      const parsed = summarizeM2Events(events);
      const expected = { reasoning, content, tool_calls: [{ name: tool.function.name, arguments: args }], errors: [], finish_reason: "tool_calls" };
      if (JSON.stringify(parsed) !== JSON.stringify(expected)) expect({ round, turn, parsed }).toEqual({ round, turn, parsed: expected });
      if (turn.includes("]<]minimax[>[<item>")) nested++;
    }
    // The generator really produced structured values, not just scalars.
    expect(nested).toBeGreaterThan(50);
  });
});
