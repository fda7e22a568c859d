/**
 * Turns script chunks into Markov-chain states. Each state is one token and
 * its successor depends only on that token, so a chunk may occur once across
 * all scripts of a model, and may not be a single byte (those are the byte
 * tokens) or a special token's text. Offending chunks merge into their
 * successor (the predecessor at a script's end) until all are unique.
 */
export function toSegments(scripts: readonly (readonly string[])[], reserved: ReadonlySet<string>): string[][] {
  const out = scripts.map((s) => s.filter((c) => c.length > 0));
  const bad = (chunk: string, counts: Map<string, number>) =>
    new TextEncoder().encode(chunk).length < 2 || reserved.has(chunk) || (counts.get(chunk) ?? 0) > 1;
  for (;;) {
    const counts = new Map<string, number>();
    for (const s of out) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    let changed = false;
    for (const s of out) {
      for (let i = 0; i < s.length; i++) {
        const chunk = s[i];
        if (chunk === undefined || !bad(chunk, counts) || s.length < 2) continue;
        if (i + 1 < s.length) s.splice(i, 2, chunk + (s[i + 1] ?? ""));
        else s.splice(i - 1, 2, (s[i - 1] ?? "") + chunk);
        changed = true;
        break; // counts are stale now
      }
      if (changed) break;
    }
    if (!changed) return out;
  }
}
