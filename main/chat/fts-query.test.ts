import { describe, expect, it } from "vitest";
import { toFtsQuery } from "./fts-query";

describe("toFtsQuery", () => {
  it("ANDs words as prefixes and keeps quoted phrases exact", () => {
    expect(toFtsQuery("kv cache")).toBe('"kv"* "cache"*');
    expect(toFtsQuery('tool "interleaved thinking" m2')).toBe('"tool"* "interleaved thinking" "m2"*');
  });

  it("turns FTS5 syntax into plain text", () => {
    expect(toFtsQuery("a OR b NOT c")).toBe('"a"* "OR"* "b"* "NOT"* "c"*');
    expect(toFtsQuery("NEAR(x y) content:foo ^bar *")).toBe('"NEAR x"* "y"* "content foo"* "bar"*');
  });

  it("runs an unclosed quote to the end", () => {
    expect(toFtsQuery('say "hello wor')).toBe('"say"* "hello wor"');
  });

  it("splits punctuated words the way the tokenizer does and keeps non-Latin letters", () => {
    expect(toFtsQuery("node.js über-fast 模型")).toBe('"node js"* "über fast"* "模型"*');
  });

  it("returns null when nothing searchable is left", () => {
    for (const q of ["", "   ", '"', '""', "***", "()", "- + ^"]) expect(toFtsQuery(q)).toBeNull();
  });
});
