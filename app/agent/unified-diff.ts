/**
 * A line diff for the agent's file edits, shown as unified hunks with a few lines of context.
 * An LCS table over the lines between the common prefix and suffix; beyond a size where that
 * table would be too large, the middle is shown as removed-then-added.
 */

export type DiffLine = { kind: "context" | "add" | "remove"; text: string; oldNo?: number; newNo?: number };
export interface DiffHunk {
  header: string;
  lines: DiffLine[];
}

const MAX_TABLE_CELLS = 4_000_000;

/** A text's lines, without the empty one after a final newline. */
export function splitLines(text: string | null): string[] {
  if (text === null || text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Every line of both texts, in order, marked kept, added or removed. */
export function diffLines(before: string | null, after: string | null): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const out: DiffLine[] = [];
  const keep = (i: number, j: number) => out.push({ kind: "context", text: a[i]!, oldNo: i + 1, newNo: j + 1 });
  for (let i = 0; i < start; i++) keep(i, i);

  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_TABLE_CELLS) {
    for (let i = start; i < endA; i++) out.push({ kind: "remove", text: a[i]!, oldNo: i + 1 });
    for (let j = start; j < endB; j++) out.push({ kind: "add", text: b[j]!, newNo: j + 1 });
  } else {
    // lcs[i][j]: the longest common subsequence of a[start+i..endA) and b[start+j..endB).
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = a[start + i] === b[start + j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) keep(start + i++, start + j++);
      // Removals before additions on a tie, as diff -u prints them.
      else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ kind: "remove", text: a[start + i]!, oldNo: start + ++i });
      else out.push({ kind: "add", text: b[start + j]!, newNo: start + ++j });
    }
  }
  for (let k = 0; k < a.length - endA; k++) keep(endA + k, endB + k);
  return out;
}

/** Hunks of changed lines with `context` unchanged lines around each, as in `diff -u`. */
export function unifiedHunks(before: string | null, after: string | null, context = 3): DiffHunk[] {
  const lines = diffLines(before, after);
  const changed = lines.flatMap((line, index) => (line.kind === "context" ? [] : [index]));
  const hunks: DiffHunk[] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = Math.min(lines.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= to) to = Math.min(lines.length, changed[++k]! + context + 1);
    k++;
    const slice = lines.slice(from, to);
    const oldLines = slice.filter((l) => l.kind !== "add");
    const newLines = slice.filter((l) => l.kind !== "remove");
    const oldStart = oldLines[0]?.oldNo ?? precedingNo(lines, from, "oldNo");
    const newStart = newLines[0]?.newNo ?? precedingNo(lines, from, "newNo");
    hunks.push({ header: `@@ -${oldStart},${oldLines.length} +${newStart},${newLines.length} @@`, lines: slice });
  }
  return hunks;
}

/** For an empty side (a file created or emptied), diff -u numbers the hunk from the line before it. */
function precedingNo(lines: DiffLine[], index: number, key: "oldNo" | "newNo"): number {
  for (let i = index - 1; i >= 0; i--) {
    const no = lines[i]![key];
    if (no !== undefined) return no;
  }
  return 0;
}
