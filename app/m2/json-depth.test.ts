import { describe, expect, it } from "vitest";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth";

/** `depth` levels, alternating arrays and objects. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { k: value };
  return value;
}

describe("exceedsJsonDepth", () => {
  it("counts array and object levels; scalars are depth 0", () => {
    expect(exceedsJsonDepth("text", 0)).toBe(false);
    expect(exceedsJsonDepth([], 0)).toBe(true);
    expect(exceedsJsonDepth([], 1)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: null }] }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: null }] }, 2)).toBe(true);
  });

  it("stops at MAX_JSON_DEPTH, with mixed nesting", () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it("walks a million levels without overflowing the stack, and ends on a cycle", () => {
    expect(exceedsJsonDepth(JSON.parse(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`))).toBe(true);
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    expect(exceedsJsonDepth(cycle)).toBe(true);
  });
});

describe("tool parameters (JsonSchemaSchema)", () => {
  it("refuses parameters nested past MAX_JSON_DEPTH on every path, as a request field, without recursing", async () => {
    const { GenerationRequestSchema } = await import("../contract/generation");
    const request = (parameters: unknown) => ({ messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f", parameters } }] });
    expect(GenerationRequestSchema.safeParse(request({ type: "object", p: nested(MAX_JSON_DEPTH - 1) })).success).toBe(true);
    const deep = GenerationRequestSchema.safeParse(request({ type: "object", p: nested(20_000) }));
    expect(deep.success).toBe(false);
    expect(JSON.stringify(deep.error?.issues)).toContain(`Nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
