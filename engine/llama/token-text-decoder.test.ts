import { describe, expect, it } from "vitest";
import type { Token } from "node-llama-cpp";
import { TokenTextDecoder } from "./token-text-decoder";
import type { Detokenizer } from "./token-text-decoder";

/** A byte-level tokenizer: token n is byte n, like GPT-2's byte tokens. */
const bytes: Detokenizer = {
  detokenize: (tokens) => new TextDecoder().decode(Uint8Array.from(tokens)),
};
const tokensOf = (text: string): Token[] => [...new TextEncoder().encode(text)] as Token[];

describe("TokenTextDecoder", () => {
  it("never splits a multi-byte character across deltas", () => {
    const decoder = new TokenTextDecoder(bytes);
    const deltas = tokensOf("aé😀b").map((token) => decoder.push(token));
    expect(deltas).toEqual(["a", undefined, "é", undefined, undefined, undefined, "😀", "b"]);
  });

  it("flushes an unfinished character as a replacement character", () => {
    const decoder = new TokenTextDecoder(bytes);
    const [first] = tokensOf("😀");
    expect(decoder.push(first as Token)).toBeUndefined();
    expect(decoder.flush()).toBe("\uFFFD");
    expect(decoder.flush()).toBe("");
  });

  it("gives up on a broken byte sequence instead of holding text forever", () => {
    const decoder = new TokenTextDecoder(bytes);
    const out: (string | undefined)[] = [];
    for (let index = 0; index < 20; index++) out.push(decoder.push(0xf0 as Token));
    expect(out.filter((text) => text !== undefined).join("")).toContain("\uFFFD");
  });
});

describe("TokenTextDecoder with cached pieces", () => {
  it("gives the same deltas as decoding each token through the model", async () => {
    const { TokenPieces } = await import("./token-pieces");
    let calls = 0;
    const counting: Detokenizer = {
      detokenize: (tokens) => {
        calls++;
        return new TextDecoder().decode(Uint8Array.from(tokens));
      },
    };
    const text = "ab é😀 ab é😀";
    const plain = new TokenTextDecoder(counting);
    const expected = tokensOf(text).map((token) => plain.push(token));
    const before = calls;
    const cached = new TokenTextDecoder(counting, [], new TokenPieces(counting));
    expect(tokensOf(text).map((token) => cached.push(token))).toEqual(expected);
    expect(calls - before).toBeLessThan(before);
  });
});
