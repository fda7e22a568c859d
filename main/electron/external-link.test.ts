import { describe, expect, it } from "vitest";
import { isOpenableExternally } from "./external-link";

describe("isOpenableExternally", () => {
  it("opens the Hub's https pages only", () => {
    expect(isOpenableExternally("https://huggingface.co/MiniMaxAI/MiniMax-M2")).toBe(true);
    expect(isOpenableExternally("https://hf.co/unsloth/MiniMax-M2-GGUF")).toBe(true);
    for (const url of [
      "http://huggingface.co/x/y",
      "https://huggingface.co.evil.example/x",
      "https://evil.example/?https://huggingface.co",
      "https://user:pass@huggingface.co/x",
      "https://huggingface.co:8443/x",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "not a url",
    ]) expect(isOpenableExternally(url), url).toBe(false);
  });
});
