import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { M2_TEMPLATE } from "./prompt";
import { recognizeM2Template } from "./template-detect";

const official = readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8");
const identityLine = 'set model_identity = "You are a helpful assistant."';

// Jinja2 parity of each recognised revision is in prompt.test.ts; these pin what counts as one.
describe("recognizeM2Template", () => {
  it("reads M2's file as M2's first template, trailing whitespace aside", () => {
    expect(recognizeM2Template(official, official)).toEqual(M2_TEMPLATE);
    expect(recognizeM2Template(`${official.trimEnd()}\n\n`, official)).toEqual(M2_TEMPLATE);
  });

  it("reads another default identity, and MiniMax's null-content fix as printing nothing", () => {
    const edited = official
      .replace(identityLine, 'set model_identity = "You are MiniMax-M2.7."')
      .replace("    {%- else -%}\n        {{- content }}", "    {%- elif content is none -%}\n        {{- '' }}\n    {%- else -%}\n        {{- content }}");
    expect(recognizeM2Template(edited, official)).toEqual({ defaultIdentity: "You are MiniMax-M2.7.", noneText: "" });
  });

  it("ignores whitespace that a -%} or {%- marker strips anyway (re-indented copies)", () => {
    const reindented = official.replace("{%- macro render_tool_namespace", "\n\n   {%- macro render_tool_namespace").replace("-%}\n", "-%}\n\t\t");
    expect(reindented).not.toBe(official);
    expect(recognizeM2Template(reindented, official)).toEqual(M2_TEMPLATE);
  });

  it("refuses every change that could reach the prompt", () => {
    const changes = [
      official.replace("'<minimax:tool_call>'", "'<tool_call>'"), // a token
      official.replace("]~b]user", "]~b]human"), // a role header
      official.replace("{% endfor %}", " {% endfor %}"), // whitespace no marker strips
      ` ${official}`, // text before the first tag
      official.replace(identityLine, 'set model_identity = "Say \\"hi\\"."'), // an identity with escapes: not read
      official.replace(`{%- set model_identity = "You are a helpful assistant." -%}`, ""), // no identity at all
      official.replace("    {%- else -%}\n        {{- content }}", "    {%- elif content is none -%}\n        {{- 'null' }}\n    {%- else -%}\n        {{- content }}"),
      "{{ messages }}",
    ];
    for (const changed of changes) {
      expect(changed).not.toBe(official);
      expect(recognizeM2Template(changed, official)).toBeUndefined();
    }
  });
});
