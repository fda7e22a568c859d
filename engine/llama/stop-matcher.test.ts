import { describe, expect, it } from "vitest";
import { StopMatcher } from "./stop-matcher";

function feed(matcher: StopMatcher, pieces: string[]): { text: string; stop?: string } {
  let text = "";
  for (const piece of pieces) {
    const match = matcher.push(piece);
    text += match.text;
    if (match.stop !== undefined) return { text, stop: match.stop };
  }
  return { text: text + matcher.flush() };
}

describe("StopMatcher", () => {
  it("passes text through when there are no stop strings", () => {
    expect(feed(new StopMatcher(), ["ab", "c"])).toEqual({ text: "abc" });
  });

  it("stops before a stop string split across pieces", () => {
    expect(feed(new StopMatcher(["</done>"]), ["hello </d", "on", "e> tail"])).toEqual({ text: "hello ", stop: "</done>" });
  });

  it("holds back only what could start a stop string", () => {
    const matcher = new StopMatcher(["xyz"]);
    expect(matcher.push("abcx").text).toBe("abc");
    expect(matcher.push("q").text).toBe("xq");
  });

  it("picks the earliest of several stop strings", () => {
    expect(feed(new StopMatcher(["bbb", "ab"]), ["xxabbb"])).toEqual({ text: "xx", stop: "ab" });
  });

  it("releases held text when generation ends without a match", () => {
    expect(feed(new StopMatcher(["xyz"]), ["abxy"])).toEqual({ text: "abxy" });
  });
});
