import { describe, expect, it } from "vitest";
import { convertParam, convertParamValue, schemaTypes } from "./parser-values";

describe("schemaTypes", () => {
  it("reads type strings, arrays, aliases and anyOf/oneOf branches", () => {
    expect(schemaTypes({ type: "String" })).toEqual(["string"]);
    expect(schemaTypes({ type: ["int", "null"] })).toEqual(["integer", "null"]);
    expect(schemaTypes({ anyOf: [{ type: "float" }, { oneOf: [{ type: "bool" }] }] })).toEqual(["number", "boolean"]);
    expect(schemaTypes(undefined)).toEqual([]);
    expect(schemaTypes({ enum: ["a"] })).toEqual([]);
  });
});

describe("convertParamValue (MiniMax reference rules)", () => {
  it("keeps strings raw, spaces included", () => {
    expect(convertParamValue("  a <b> & c ", { type: "string" })).toBe("  a <b> & c ");
    expect(convertParamValue("42", { type: "text" })).toBe("42");
  });

  it("turns null (any case, any type) into null", () => {
    expect(convertParamValue("null", { type: "string" })).toBeNull();
    expect(convertParamValue(" NULL ", { type: "integer" })).toBeNull();
    expect(convertParamValue("null", undefined)).toBeNull();
  });

  it("parses integers and numbers, falling back to the text", () => {
    expect(convertParamValue("-12", { type: "integer" })).toBe(-12);
    expect(convertParamValue("1.5", { type: "integer" })).toBe("1.5");
    expect(convertParamValue("1.5", { type: "number" })).toBe(1.5);
    expect(convertParamValue("2.0", { type: "float" })).toBe(2);
    expect(convertParamValue("Infinity", { type: "number" })).toBe("Infinity");
    expect(convertParamValue("", { type: "number" })).toBe("");
    expect(convertParamValue("0x10", { type: "integer" })).toBe("0x10");
  });

  it("reads booleans strictly", () => {
    expect(convertParamValue("TRUE", { type: "boolean" })).toBe(true);
    expect(convertParamValue("1", { type: "boolean" })).toBe(true);
    expect(convertParamValue("False", { type: "boolean" })).toBe(false);
    expect(convertParamValue("0", { type: "boolean" })).toBe(false);
    expect(convertParamValue("maybe", { type: "boolean" })).toBe("maybe");
  });

  it("JSON-parses objects and arrays, falling back to the text", () => {
    expect(convertParamValue('{"a": [1, {"b": null}]}', { type: "object" })).toEqual({ a: [1, { b: null }] });
    expect(convertParamValue("[1, 2", { type: "array" })).toBe("[1, 2");
    expect(convertParamValue("['single']", { type: "array" })).toBe("['single']");
  });

  it("keeps values of unknown parameters as text, like the reference", () => {
    expect(convertParamValue("[1, 2]", undefined)).toBe("[1, 2]");
    expect(convertParamValue("7", {})).toBe("7");
  });

  it("JSON-parses types the reference does not name", () => {
    expect(convertParamValue("[1]", { type: "tuple" })).toEqual([1]);
    expect(convertParamValue("x", { type: "tuple" })).toBe("x");
  });

  it("tries union members most specific first, text last", () => {
    expect(convertParamValue("42", { type: ["string", "integer"] })).toBe(42);
    expect(convertParamValue("4.2", { type: ["integer", "number"] })).toBe(4.2);
    expect(convertParamValue("false", { anyOf: [{ type: "string" }, { type: "boolean" }] })).toBe(false);
    expect(convertParamValue('{"a":1}', { type: ["array", "object"] })).toEqual({ a: 1 });
    expect(convertParamValue("hello", { type: ["integer", "boolean"] })).toBe("hello");
  });
});

describe("convertParam nesting bound", () => {
  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

  it("keeps JSON nested 10,000 levels as text, flagged, for every type that parses JSON", () => {
    for (const schema of [{ type: "array" }, { type: "object" }, { type: ["array", "string"] }, { type: "tuple" }]) {
      expect(convertParam(deep(10_000), schema)).toEqual({ value: deep(10_000), tooDeep: true });
    }
    expect(convertParam(`{"a": ${deep(200)}}`, { type: "object" })).toMatchObject({ tooDeep: true });
  });

  it("parses up to the limit, and never flags text that stays text", () => {
    expect(convertParam(deep(128), { type: "array" }).tooDeep).toBe(false);
    expect(convertParam(deep(129), { type: "array" }).tooDeep).toBe(true);
    expect(convertParam(deep(10_000), { type: "string" })).toEqual({ value: deep(10_000), tooDeep: false });
    expect(convertParam(deep(10_000), undefined)).toEqual({ value: deep(10_000), tooDeep: false });
    expect(convertParamValue(deep(10_000), { type: "array" })).toBe(deep(10_000));
  });
});
