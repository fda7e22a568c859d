/**
 * Turns whatever a user typed into a valid FTS5 query, so search never throws.
 * Words are ANDed and match as prefixes ("stream" finds "streaming"); text in
 * double quotes is a phrase (an unclosed quote runs to the end). FTS5 syntax
 * (AND, OR, NOT, NEAR, *, ^, :, parentheses, column filters) is searched as text.
 * Only letters, digits and marks survive: exactly what the unicode61 tokenizer
 * indexes, so a term can never be an empty or malformed string.
 * Returns null when nothing searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const terms: string[] = [];
  for (const match of input.matchAll(/"([^"]*)"?|([^\s"]+)/g)) {
    const quoted = match[1];
    const text = quoted ?? match[2] ?? "";
    const words = text.split(/[^\p{L}\p{N}\p{M}]+/u).filter((w) => w.length > 0);
    if (words.length === 0) continue;
    terms.push(`"${words.join(" ")}"${quoted === undefined ? "*" : ""}`);
  }
  return terms.length > 0 ? terms.join(" ") : null;
}
