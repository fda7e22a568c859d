import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact";

describe("redactSecrets", () => {
  it("blanks the Hub token wherever it shows up, and the host's launch token in URLs and cookies", () => {
    const cases: Array<[string, string]> = [
      ["authorization: Bearer hf_abcdefghijklmnop", "authorization: Bearer [redacted]"],
      ['{"authorization":"Bearer abc.def-123"}', '{"authorization":"Bearer [redacted]"}'],
      ["Authorization=Basic dXNlcjpwYXNz", "Authorization=[redacted]"],
      ["token hf_abcdefghijklmnop in a message", "token [redacted] in a message"],
      ["http://127.0.0.1:4000/?token=AbC123_-xyz&x=1", "http://127.0.0.1:4000/?token=[redacted]&x=1"],
      ["ws://127.0.0.1:4000/ws?token=AbC123_-xyz", "ws://127.0.0.1:4000/ws?token=[redacted]"],
      ["cookie: m2d_token=AbC123_-xyz; other=1", "cookie: m2d_token=[redacted]; other=1"],
      ['{"hub":{"token":"tok-1234"}}', '{"hub":{"token":"[redacted]"}}'],
      ["HF_TOKEN=abcd1234 m2d pull", "HF_TOKEN=[redacted] m2d pull"],
    ];
    for (const [input, expected] of cases) expect(redactSecrets(input)).toBe(expected);
  });

  it("blanks named values that have no recognisable shape, and leaves ordinary text alone", () => {
    expect(redactSecrets("launch key is q9Zx-77 here", ["q9Zx-77"])).toBe("launch key is [redacted] here");
    const plain = "max_tokens: 512, hasToken: true, tokens=12, 3 prompt tokens; see /home/u/models/hf_model.gguf";
    expect(redactSecrets(plain)).toBe(plain);
  });
});
