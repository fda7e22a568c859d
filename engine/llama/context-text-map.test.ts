import { describe, expect, it } from "vitest";
import type { Token } from "node-llama-cpp";
import { ContextTextMap } from "./context-text-map";
import { TokenPieces } from "./token-pieces";
import type { Detokenizer } from "./token-text-decoder";

const bytes = new TokenPieces({
  detokenize: (tokens) => new TextDecoder().decode(Uint8Array.from(tokens)),
} satisfies Detokenizer);
const tokensOf = (text: string): Token[] => [...new TextEncoder().encode(text)] as Token[];

describe("ContextTextMap", () => {
  it("matches the longest token prefix whose text starts the new text", () => {
    const map = new ContextTextMap();
    expect(map.rebuild(bytes, tokensOf("hello wörld"), "hello wörld")).toBe(true);
    expect(map.matchText("hello wörld, again")).toEqual({ tokens: 12, chars: 11 });
    expect(map.matchText("hello world")).toEqual({ tokens: 7, chars: 7 });
    // "ö" is two tokens: a match never ends between them.
    expect(map.matchText("hello w\u00f6")).toEqual({ tokens: 9, chars: 8 });
  });

  it("keeps sampled tokens through append and trims to the sequence's real tokens", () => {
    const map = new ContextTextMap();
    map.rebuild(bytes, tokensOf("ab"), "ab");
    map.append(99 as Token, "c");
    map.append(100 as Token, "d");
    expect(map.matchText("abcdX")).toEqual({ tokens: 4, chars: 4 });
    // The cache holds fewer tokens that agree (the last sampled one was never evaluated): the map keeps its text.
    map.syncTo(tokensOf("abc"));
    expect(map.length).toBe(4);
    expect(map.matchText("abcdX")).toEqual({ tokens: 4, chars: 4 });
    // A cache that disagrees trims the map to what they share.
    map.syncTo(tokensOf("abX"));
    expect(map.length).toBe(2);
    expect(map.matchText("abcdX")).toEqual({ tokens: 2, chars: 2 });
  });

  it("clears itself when the tokens do not spell the expected text", () => {
    const map = new ContextTextMap();
    expect(map.rebuild(bytes, tokensOf("abc"), "abd")).toBe(false);
    expect(map.length).toBe(0);
    expect(map.matchText("abc")).toEqual({ tokens: 0, chars: 0 });
  });

  it("drops a trailing partial character when truncating", () => {
    const map = new ContextTextMap();
    map.rebuild(bytes, tokensOf("aé"), "aé");
    map.truncate(2); // keeps "a" and the first byte of "é"
    expect(map.length).toBe(1);
  });
});

describe("ContextTextMap with lossy sampled text", () => {
  it("never matches across a token whose text stands for invalid bytes", () => {
    const map = new ContextTextMap();
    map.rebuild(bytes, tokensOf("ab"), "ab");
    map.append(0xff as Token, "\uFFFD", true);
    map.append(99 as Token, "c");
    expect(map.matchText("ab\uFFFDc")).toEqual({ tokens: 2, chars: 2 });
    map.truncate(2);
    map.append(99 as Token, "c");
    expect(map.matchText("abc")).toEqual({ tokens: 3, chars: 3 });
  });
});
