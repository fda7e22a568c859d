/**
 * Deterministic markdown of a given token count, like a long M2 answer: headings,
 * prose with inline code and math, lists, code blocks, tables, block math, quotes.
 * Tokens are words with their trailing whitespace (how the scripted models stream).
 */

const WORDS = "the model streams tokens into a renderer that splits markdown into blocks and keeps finished ones memoized while only the last block grows on every frame".split(" ");

function sentence(seed: number, length: number): string {
  const words = Array.from({ length }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length] ?? "word");
  const first = words[0] ?? "The";
  return `${first[0]?.toUpperCase()}${first.slice(1)} ${words.slice(1).join(" ")}.`;
}

/** One varied markdown section; `i` picks the kind and the words. */
export function section(i: number): string {
  const kind = i % 6;
  const head = `## Part ${i + 1}: ${WORDS[i % WORDS.length]} and ${WORDS[(i + 5) % WORDS.length]}\n\n`;
  const prose = `${sentence(i, 14)} It uses \`splitBlocks(text)\` and **bold** or _italic_ text, with $a_${i}^2 + b^2 = c^2$ inline. ${sentence(i + 1, 18)}\n\n`;
  switch (kind) {
    case 0:
      return head + prose + Array.from({ length: 5 }, (_, k) => `- Item ${k + 1}: ${sentence(i + k, 8)}`).join("\n") + "\n\n";
    case 1:
      return (
        head +
        prose +
        "```ts\n" +
        Array.from({ length: 14 }, (_, k) => (k % 3 === 0 ? `export function step${i}_${k}(input: number[]): number {` : k % 3 === 1 ? `  return input.reduce((a, b) => a + b * ${k}, 0); // ${WORDS[k % WORDS.length]}` : "}")).join("\n") +
        "\n```\n\n"
      );
    case 2:
      return head + prose + "| Name | Value | Note |\n| --- | ---: | --- |\n" + Array.from({ length: 6 }, (_, k) => `| row ${k + 1} | ${(i + 1) * (k + 3)} | ${sentence(i + k, 4)} |`).join("\n") + "\n\n";
    case 3:
      return head + prose + `$$\n\\sum_{k=1}^{${i + 2}} k^2 = \\frac{n(n+1)(2n+1)}{6}\n$$\n\n` + prose;
    case 4:
      return (
        head +
        prose +
        "```python\n" +
        Array.from({ length: 12 }, (_, k) => (k % 2 === 0 ? `def f_${i}_${k}(xs):` : `    return [x * ${k} for x in xs if x > ${i}]  # ${WORDS[k % WORDS.length]}`)).join("\n") +
        "\n```\n\n"
      );
    default:
      return head + `> ${sentence(i, 20)}\n> ${sentence(i + 2, 12)}\n\n` + Array.from({ length: 4 }, (_, k) => `${k + 1}. ${sentence(i * 2 + k, 9)}`).join("\n") + "\n\n" + prose;
  }
}

export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Exactly `count` tokens of markdown. */
export function benchMarkdownTokens(count: number): string[] {
  const tokens: string[] = [];
  for (let i = 0; tokens.length < count; i++) tokens.push(...tokenize(section(i)));
  return tokens.slice(0, count);
}

export function benchReasoningTokens(count: number): string[] {
  const tokens: string[] = [];
  for (let i = 0; tokens.length < count; i++) tokens.push(...tokenize(`${sentence(i, 12)} `));
  return tokens.slice(0, count);
}
