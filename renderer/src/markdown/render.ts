import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/common";
import { Marked, type Tokens } from "marked";
import { mathExtensions } from "./math";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/** Above this, a block being streamed is not highlighted on every frame (it is once it is finished). */
const LIVE_HIGHLIGHT_LIMIT = 20_000;

function highlight(code: string, lang: string | undefined, live: boolean): { html: string; language: string | undefined } {
  const language = lang && hljs.getLanguage(lang) ? lang : undefined;
  // No auto-detection: it tries every language, too slow for a block re-rendered each frame.
  if (!language || (live && code.length > LIVE_HIGHLIGHT_LIMIT)) return { html: escapeHtml(code), language };
  return { html: hljs.highlight(code, { language, ignoreIllegals: true }).value, language };
}

function codeBlock(token: Tokens.Code, live: boolean): string {
  const lang = token.lang?.trim().split(/\s+/)[0]?.toLowerCase() || undefined;
  const { html, language } = highlight(token.text, lang, live);
  const label = escapeHtml(lang ?? "text");
  return (
    `<div class="code-block"><div class="code-head"><span class="code-lang">${label}</span>` +
    `<button type="button" class="code-copy" data-copy-code="" aria-label="Copy code">Copy</button></div>` +
    `<pre><code class="hljs${language ? ` language-${escapeHtml(language)}` : ""}">${html}</code></pre></div>\n`
  );
}

function makeMarked(live: boolean): Marked {
  return new Marked({
    gfm: true,
    breaks: false,
    extensions: mathExtensions,
    renderer: {
      code: (token) => codeBlock(token, live),
      // Raw HTML from a model is shown as text, never interpreted: "use <br>" must stay readable.
      html: (token) => escapeHtml(token.text),
    },
  });
}

const finished = makeMarked(false);
const growing = makeMarked(true);

/** Markdown → HTML, unsanitized (pure, so it can be tested without a DOM). */
export function markdownToHtml(markdown: string, options: { live?: boolean } = {}): string {
  return (options.live ? growing : finished).parse(markdown, { async: false });
}

let configured = false;
function purifier(): typeof DOMPurify {
  if (!configured) {
    configured = true;
    // Set once: a config passed per call is re-parsed on every call, on every streamed frame.
    DOMPurify.setConfig({ ADD_ATTR: ["target"], FORBID_TAGS: ["style", "form"], RETURN_DOM_FRAGMENT: true });
    // Links leave the app: a new window the shell opens externally, without an opener.
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.hasAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    });
  }
  return DOMPurify;
}

/**
 * One markdown block → sanitized DOM. A fragment, not a string: the HTML is parsed
 * once (by DOMPurify) instead of once more by innerHTML.
 */
export function renderBlockFragment(markdown: string, live = false): DocumentFragment {
  return purifier().sanitize(markdownToHtml(markdown, { live }), { RETURN_DOM_FRAGMENT: true });
}

/** The lexer the block splitter uses: the same grammar (math included) the renderer sees. */
export function lexBlocks(markdown: string) {
  return finished.lexer(markdown);
}

/**
 * Compiles the common highlight.js grammars and loads KaTeX's metrics while the app is idle,
 * so the first conversation opened does not pay for them.
 */
export function warmUpMarkdown(): void {
  const sample = ["ts", "js", "python", "bash", "json", "rust", "go", "cpp", "java", "sql"]
    .map((lang) => `\`\`\`${lang}\nx\n\`\`\``)
    .join("\n\n");
  renderBlockFragment(`${sample}\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\nInline $x^2$ and\n\n$$\\frac{a}{b}$$`);
}
