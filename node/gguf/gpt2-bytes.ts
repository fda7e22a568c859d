/**
 * GPT-2's bytes_to_unicode: every byte gets a printable code point so BPE
 * token text never holds raw control bytes. llama.cpp decodes token text
 * through the inverse map, so token strings must be written in this form.
 */
function buildByteChars(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const chars = new Array<string>(256);
  for (const b of printable) chars[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (chars[b] === undefined) chars[b] = String.fromCodePoint(256 + n++);
  }
  return chars;
}

export const BYTE_CHARS: readonly string[] = buildByteChars();

/** Token text for arbitrary text: its UTF-8 bytes, each as its GPT-2 code point. */
export function gpt2TokenText(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) out += BYTE_CHARS[byte];
  return out;
}
