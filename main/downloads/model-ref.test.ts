import { describe, expect, it } from "vitest";
import { parseModelRef } from "./model-ref";

describe("parseModelRef", () => {
  it("parses hf: refs with and without quant and revision", () => {
    expect(parseModelRef("hf:unsloth/MiniMax-M2-GGUF")).toEqual({ kind: "hub", repo: "unsloth/MiniMax-M2-GGUF", revision: "main" });
    expect(parseModelRef("hf:unsloth/MiniMax-M2-GGUF:UD-Q2_K_XL")).toEqual({
      kind: "hub", repo: "unsloth/MiniMax-M2-GGUF", revision: "main", quant: "UD-Q2_K_XL",
    });
    expect(parseModelRef(" hf:bartowski/MiniMaxAI_MiniMax-M2-GGUF@abc123:Q4_K_M ")).toEqual({
      kind: "hub", repo: "bartowski/MiniMaxAI_MiniMax-M2-GGUF", revision: "abc123", quant: "Q4_K_M",
    });
    expect(parseModelRef("mradermacher/MiniMax-M2-GGUF:Q8_0")).toMatchObject({ kind: "hub", repo: "mradermacher/MiniMax-M2-GGUF", quant: "Q8_0" });
  });

  it("parses Hub URLs: repo page, tree, blob and resolve links", () => {
    expect(parseModelRef("https://huggingface.co/unsloth/MiniMax-M2-GGUF")).toEqual({ kind: "hub", repo: "unsloth/MiniMax-M2-GGUF", revision: "main" });
    expect(parseModelRef("https://huggingface.co/unsloth/MiniMax-M2-GGUF/tree/main")).toEqual({ kind: "hub", repo: "unsloth/MiniMax-M2-GGUF", revision: "main" });
    expect(
      parseModelRef("https://huggingface.co/unsloth/MiniMax-M2-GGUF/blob/main/UD-Q2_K_XL/MiniMax-M2-UD-Q2_K_XL-00001-of-00002.gguf"),
    ).toEqual({ kind: "hub", repo: "unsloth/MiniMax-M2-GGUF", revision: "main", file: "UD-Q2_K_XL/MiniMax-M2-UD-Q2_K_XL-00001-of-00002.gguf" });
    expect(parseModelRef("https://hf.co/a/b/resolve/refs%2Fpr%2F1/x.gguf?download=true")).toEqual({
      kind: "hub", repo: "a/b", revision: "refs/pr/1", file: "x.gguf",
    });
  });

  it("treats a configured endpoint (mirror, emulator) as the Hub", () => {
    expect(parseModelRef("http://127.0.0.1:9/o/r/resolve/main/m.gguf", "http://127.0.0.1:9")).toMatchObject({ kind: "hub", repo: "o/r", file: "m.gguf" });
    expect(parseModelRef("http://127.0.0.1:9/o/r/resolve/main/m.gguf", "http://127.0.0.1:10")).toMatchObject({ kind: "url" });
  });

  it("parses plain https URLs and allows http only on loopback", () => {
    expect(parseModelRef("https://example.com/models/m2.gguf")).toEqual({ kind: "url", url: "https://example.com/models/m2.gguf", fileName: "m2.gguf" });
    expect(parseModelRef("http://localhost:8080/m.gguf")).toMatchObject({ kind: "url", fileName: "m.gguf" });
    expect(() => parseModelRef("http://example.com/m.gguf")).toThrow(expect.objectContaining({ code: "bad_request" }));
  });

  it("rejects malformed refs with typed bad_request errors", () => {
    for (const bad of ["", "hf:", "hf:onlyowner", "hf:a/b:Q4 K", "ftp://x/y.gguf", "https://huggingface.co/datasets/a/b", "https://huggingface.co/a/b/discussions", "https://example.com/", "https://example.com/..%2F..%2Fetc"]) {
      expect(() => parseModelRef(bad), bad).toThrow(expect.objectContaining({ code: "bad_request", details: expect.objectContaining({ reason: "bad_ref" }) }));
    }
  });
});
