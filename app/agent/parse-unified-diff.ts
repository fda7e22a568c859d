import type { DiffHunk, DiffLine } from "./unified-diff";

/**
 * Reads a multi-file unified diff (`git diff`, `git diff --no-index`, `diff -ruN`) back into per-file hunks, so a
 * diff made elsewhere (a best-of-N attempt's copy against the workspace) is shown with the same hunks as the
 * agent's own file changes. Hunk bodies are read by the counts in their headers, so a removed line that starts
 * with "--" is never taken for the next file's header.
 */

export type FileDiffStatus = "added" | "deleted" | "modified" | "renamed";

export interface FileDiff {
  /** The path after the change (before it, for a deleted file), without git's a/ b/ prefixes. */
  path: string;
  /** Set for a rename: where it came from. */
  oldPath: string | null;
  status: FileDiffStatus;
  /** "Binary files … differ": no hunks to show. */
  binary: boolean;
  hunks: DiffHunk[];
}

/** A file being read: `from` and `to` are its header paths (null for /dev/null). */
type Pending = FileDiff & { from: string | null; to: string | null };

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** A header's path: git quotes odd names, `diff -u` adds a tab and a timestamp, git prefixes a/ and b/. */
function headerPath(raw: string): string | null {
  let path = raw.split("\t")[0]!.trim();
  if (path.startsWith('"') && path.endsWith('"')) path = path.slice(1, -1).replace(/\\(["\\])/g, "$1");
  if (path === "/dev/null") return null;
  return path.replace(/^[ab]\//, "");
}

/** The two paths of a `diff --git a/x b/x` line, when they are unquoted and the same length (the usual case). */
function gitLinePaths(line: string): string | null {
  const rest = line.slice("diff --git ".length);
  const half = (rest.length - 1) / 2;
  if (!Number.isInteger(half)) return null;
  const [a, b] = [rest.slice(0, half), rest.slice(half + 1)];
  return a.slice(2) === b.slice(2) ? headerPath(b) : null;
}

export function parseUnifiedDiff(text: string): FileDiff[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const files: FileDiff[] = [];
  // "as": the closures below assign it, which TypeScript's narrowing of a `null` initializer would not see.
  let file = null as Pending | null;
  const finish = () => {
    if (!file) return;
    const { from, to, ...rest } = file;
    const path = to ?? from ?? rest.path;
    if (path) files.push({ ...rest, path });
    file = null;
  };
  const begin = (path: string | null): Pending => {
    finish();
    file = { path: path ?? "", oldPath: null, status: "modified", binary: false, hunks: [], from: path, to: path };
    return file;
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith("diff ")) {
      begin(line.startsWith("diff --git ") ? gitLinePaths(line) : null);
      i++;
      continue;
    }
    if (line.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) {
      // A diff without "diff" lines (plain diff -u) starts each file here.
      const current = file !== null && file.hunks.length === 0 ? file : begin(null);
      current.from = headerPath(line.slice(4));
      current.to = headerPath(lines[i + 1]!.slice(4));
      if (current.from === null) current.status = "added";
      else if (current.to === null) current.status = "deleted";
      i += 2;
      continue;
    }
    const header = HUNK_HEADER.exec(line);
    if (header && file) {
      const current = file;
      let oldNo = Number(header[1]);
      let newNo = Number(header[3]);
      let oldLeft = header[2] === undefined ? 1 : Number(header[2]);
      let newLeft = header[4] === undefined ? 1 : Number(header[4]);
      // diff -u numbers an empty side from the line before it; the first line of the hunk is the next one.
      if (oldLeft === 0) oldNo++;
      if (newLeft === 0) newNo++;
      const body: DiffLine[] = [];
      i++;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i]!.startsWith("\\"))) {
        const row = lines[i]!;
        const text = row.slice(1);
        if (row.startsWith("\\")) {
          // "\ No newline at end of file": about the line before, not a line of the file.
        } else if (row.startsWith("+")) {
          body.push({ kind: "add", text, newNo: newNo++ });
          newLeft--;
        } else if (row.startsWith("-")) {
          body.push({ kind: "remove", text, oldNo: oldNo++ });
          oldLeft--;
        } else {
          // A context line; an empty one can lose its leading space in transit.
          body.push({ kind: "context", text, oldNo: oldNo++, newNo: newNo++ });
          oldLeft--;
          newLeft--;
        }
        i++;
      }
      current.hunks.push({ header: header[0], lines: body });
      continue;
    }
    if (file) {
      const current = file;
      if (line.startsWith("new file mode")) current.status = "added";
      else if (line.startsWith("deleted file mode")) current.status = "deleted";
      else if (line.startsWith("rename from ")) {
        current.status = "renamed";
        current.oldPath = line.slice("rename from ".length);
        current.from = current.oldPath;
      } else if (line.startsWith("rename to ")) current.to = line.slice("rename to ".length);
      else if (line.startsWith("Binary files ")) {
        current.binary = true;
        const m = /^Binary files (.+) and (.+) differ$/.exec(line);
        if (m) {
          current.from = headerPath(m[1]!);
          current.to = headerPath(m[2]!);
          if (current.from === null) current.status = "added";
          else if (current.to === null) current.status = "deleted";
        }
      }
    }
    i++;
  }
  finish();
  return files;
}
