import katex from "katex";
import type { TokenizerAndRendererExtension, Tokens } from "marked";

/**
 * `$…$` / `\(…\)` inline and `$$…$$` / `\[…\]` display math for marked, rendered by KaTeX.
 * An unclosed delimiter stays plain text, so a formula being streamed shows as source until it closes.
 */

const cache = new Map<string, string>();
const CACHE_LIMIT = 500;

/** KaTeX is the costly part of re-rendering a growing block: the same formula is rendered once. */
export function renderTex(tex: string, displayMode: boolean): string {
  const key = `${displayMode ? "D" : "I"}${tex}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml", strict: "ignore", trust: false });
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, html);
  return html;
}

interface MathToken extends Tokens.Generic {
  text: string;
  display: boolean;
}

const BLOCK_DOLLAR = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/;
const BLOCK_BRACKET = /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n|$)/;
// Inline `$`: not followed by a space, not closed after a space or before a digit ("$5 and $10" stays text).
const INLINE_DOLLAR = /^\$(?!\s)((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)/;
const INLINE_DISPLAY = /^\$\$((?:\\.|[^\\$])+?)\$\$/;
const INLINE_PAREN = /^\\\(([\s\S]+?)\\\)/;

function firstIndex(src: string, needles: readonly string[]): number | undefined {
  let best = -1;
  for (const n of needles) {
    const i = src.indexOf(n);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best === -1 ? undefined : best;
}

export const mathExtensions: TokenizerAndRendererExtension[] = [
  {
    name: "blockMath",
    level: "block",
    start: (src) => firstIndex(src, ["$$", "\\["]),
    tokenizer(src): MathToken | undefined {
      const m = BLOCK_DOLLAR.exec(src) ?? BLOCK_BRACKET.exec(src);
      if (!m?.[1]?.trim()) return undefined;
      return { type: "blockMath", raw: m[0], text: m[1].trim(), display: true };
    },
    renderer: (token) => `<div class="math-block">${renderTex(String(token["text"]), true)}</div>\n`,
  },
  {
    name: "inlineMath",
    level: "inline",
    start: (src) => firstIndex(src, ["$", "\\("]),
    tokenizer(src): MathToken | undefined {
      const display = INLINE_DISPLAY.exec(src);
      if (display?.[1]?.trim()) return { type: "inlineMath", raw: display[0], text: display[1].trim(), display: true };
      const m = INLINE_DOLLAR.exec(src) ?? INLINE_PAREN.exec(src);
      if (!m?.[1]?.trim()) return undefined;
      return { type: "inlineMath", raw: m[0], text: m[1], display: false };
    },
    renderer: (token) => renderTex(String(token["text"]), token["display"] === true),
  },
];
