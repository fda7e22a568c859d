import { Template } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import { AppError } from "../contract/errors";
import { printValue } from "./template-values";
import { toJson } from "./tojson";

// The library itself is the reference for both the filter and plain printing.
const viaFilter = new Template("{{ x | tojson(ensure_ascii=False) }}");
const viaPrint = new Template("{{ x }}");

const values: [string, unknown][] = [
  ["string with escapes", 'q"uote\\ back\nnl\ttab\r\u0001\u001f\u007f\b\f'],
  ["non-ASCII", "中文 日本語 café 🎉👩‍💻 \u2028\u2029 \u00a0"],
  ["lone surrogate", "a\ud800b"],
  ["integers", [0, -1, 42, 12345678901, Number.MAX_SAFE_INTEGER]],
  ["floats", [0.5, -2.25, 1e-7, 1e21, 123.456, 1 / 3]],
  ["negative zero", -0],
  ["non-finite numbers", [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ["booleans and null", [true, false, null]],
  ["empty containers", { a: [], b: {} }],
  ["key order with integer-like keys", { z: 1, "10": 2, "2": 3, a: { "1": null, b: [1, { c: "d" }] } }],
  ["keys needing escapes", { 'k"ey': 1, "ключ\n": 2, "": 3 }],
  ["undefined values", { a: undefined, b: [undefined, 1] }],
];

describe("toJson matches @huggingface/jinja", () => {
  it.each(values)("tojson: %s", (_name, x) => {
    expect(toJson(x)).toBe(viaFilter.render({ x }));
  });

  it.each(values)("printing: %s", (_name, x) => {
    expect(printValue(x)).toBe(viaPrint.render({ x }));
  });

  it("prints undefined as nothing", () => {
    expect(printValue(undefined)).toBe(viaPrint.render({}));
    expect(toJson(undefined)).toBe("null");
  });

  it("rejects values that are not JSON", () => {
    expect(() => toJson(10n)).toThrow(AppError);
    expect(() => toJson({ f: () => 1 })).toThrow(AppError);
  });

  it("refuses values nested past 128 levels with a typed error, not a stack overflow", () => {
    const deep = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
    expect(toJson(deep(128))).toBe(`${"[".repeat(128)}${"]".repeat(128)}`);
    expect(() => toJson(deep(129))).toThrow(expect.objectContaining({ code: "bad_request", details: { reason: "too_deep" } }));
    expect(() => toJson(deep(100_000))).toThrow(AppError);
  });
});
