import type { M2TemplateVariant } from "./prompt";

/** Where a revision of M2's template sets its default system prompt. A literal without escapes only. */
const IDENTITY = /\{%-\s*set model_identity = "([^"\\]*)"\s*-%\}/;
const IDENTITY_SLOT = '{%- set model_identity = "\u0000" -%}';
/** MiniMax's fix of 2025-11 (MiniMax-M2 9354a5c, in M2.1's file): null content prints nothing instead of `None`. */
const NONE_BRANCH = /\{%-\s*elif content is none\s*-%\}\{\{-\s*''\s*\}\}/;
/**
 * The same fix's tool-call bookkeeping, and M2.5's and M2.7's `.name`: which name a later `tool` message
 * checks against. Equal output for every call with a `function` object, which is all the request schema admits.
 */
const LAST_CALL_NAME = [
  /\{%-\s*if message\.tool_calls\[-1\]\.function\s*-%\}\{%-\s*set last_tool_call\.name = message\.tool_calls\[-1\]\.function\.name\s*-%\}\{%-\s*else\s*-%\}\{%-\s*set last_tool_call\.name = message\.tool_calls\[-1\]\.name\s*-%\}\{%-\s*endif\s*-%\}/,
  /\{%-\s*set last_tool_call\.name = message\.tool_calls\[-1\]\.name\s*-%\}/,
];
const LAST_CALL_NAME_CANONICAL = "{%- set last_tool_call.name = message.tool_calls[-1].function.name -%}";

/**
 * Whitespace next to a `{%-`, `-%}`, `{{-` or `-}}` marker never reaches the output (the marker strips it),
 * so dropping it keeps the template's meaning; every other character still has to match.
 */
function withoutStrippedWhitespace(template: string): string {
  return template.trimEnd().replace(/\s+(?=\{[%{]-)/g, "").replace(/(?<=-[%}]\})\s+/g, "");
}

/**
 * Which revision of MiniMax's M2 template `embedded` is, given the shipped M2 file as `reference`:
 * the same template up to its default identity (M2.1, M2.5, M2.7 and M2's later cards each set their
 * own), MiniMax's null-content fix, and the tool-call name bookkeeping. Each of those the TS renderer
 * reproduces exactly (app/m2/prompt.test.ts checks them under Jinja2), so such a GGUF is rendered by
 * it instead of by a JavaScript Jinja engine. Any other difference: undefined (render the file itself).
 */
export function recognizeM2Template(embedded: string, reference: string): M2TemplateVariant | undefined {
  const canonical = (template: string) => {
    let text = withoutStrippedWhitespace(template);
    const identity = IDENTITY.exec(text)?.[1];
    if (identity === undefined) return undefined;
    text = text.replace(IDENTITY, IDENTITY_SLOT);
    const fixedNone = NONE_BRANCH.test(text);
    text = text.replace(NONE_BRANCH, "");
    for (const form of LAST_CALL_NAME) text = text.replace(form, LAST_CALL_NAME_CANONICAL);
    return { text, variant: { defaultIdentity: identity, noneText: fixedNone ? "" : "None" } };
  };
  const mine = canonical(embedded);
  const theirs = canonical(reference);
  return mine !== undefined && theirs !== undefined && mine.text === theirs.text ? mine.variant : undefined;
}
