import { describe, expect, it } from "vitest";
import { renderWithJinja2 } from "../../testing/jinja2";
import { AppError } from "../contract/errors";
import { printValue, pyNumber } from "./template-values";
import { toJson } from "./tojson";

// Python's Jinja2 with transformers' filters is the reference for both the filter and plain printing.
const values: [string, unknown][] = [
  ["string with escapes", 'q"uote\\ back\nnl\ttab\r\u0001\u001f\u007f\b\f'],
  ["quotes for repr", ["it's", 'say "hi"', `both ' and "`]],
  ["non-ASCII", "中文 日本語 café 🎉👩‍💻 \u2028\u2029 \u00a0 \u200b \ufeff"],
  ["lone surrogate", "a\ud800b"],
  ["integers", [0, -1, 42, 12345678901, Number.MAX_SAFE_INTEGER, 1e20]],
  ["floats", [0.5, -2.25, 1e-7, 1e21, 123.456, 1 / 3, 0.0001, 0.00001, 1.5e16, -3.2e-5, 5e-324, 1.7976931348623157e308]],
  ["negative zero", -0],
  ["non-finite numbers", [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ["booleans and null", [true, false, null]],
  ["empty containers", { a: [], b: {} }],
  ["key order with integer-like keys", { z: 1, "10": 2, "2": 3, a: { "1": null, b: [1, { c: "d" }] } }],
  ["keys needing escapes", { 'k"ey': 1, "ключ\n": 2, "": 3, "it's": 4 }],
  ["undefined values", { a: undefined, b: [undefined, 1] }],
];

describe("toJson and printValue match Jinja2 as transformers sets it up", () => {
  // JSON carries the data to Python as it would arrive from a client.
  const contexts = values.map(([, x]) => ({ x }));
  const filtered = renderWithJinja2("{{ x | tojson(ensure_ascii=False) }}", contexts);
  const printed = renderWithJinja2("{{ x }}", contexts);

  it.each(values.map(([name, x], i) => [name, x, i] as const))("tojson: %s", (_name, x, i) => {
    expect(filtered[i]).toEqual({ ok: true, text: toJson(x) });
  });

  it.each(values.map(([name, x], i) => [name, x, i] as const))("printing: %s", (_name, x, i) => {
    expect(printed[i]).toEqual({ ok: true, text: printValue(x) });
  });

  it("prints undefined as nothing and None for null", () => {
    expect(renderWithJinja2("{{ x }}|{{ y }}", [{ y: null }])).toEqual([{ ok: true, text: `${printValue(undefined)}|${printValue(null)}` }]);
    expect(toJson(undefined)).toBe("null");
  });

  it("writes floats in Python's repr", () => {
    // 1.5e16 is integral in JS, so it crossed JSON as an int.
    expect([1e-7, 0.0001, 1e21, 2.5, -1e-5, 1.5e16, 1.25e-16].map(pyNumber)).toEqual(["1e-07", "0.0001", "1e+21", "2.5", "-1e-05", "15000000000000000", "1.25e-16"]);
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
    expect(() => printValue(deep(100_000))).toThrow(AppError);
  });
});
