import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseUnifiedDiff, type FileDiff } from "./parse-unified-diff";
import { splitLines, unifiedHunks } from "./unified-diff";

/** The new side of a file from its old side and its hunks: what `patch` would write. */
function applyHunks(before: string | null, diff: FileDiff): string[] {
  const old = splitLines(before);
  const out: string[] = [];
  let next = 0; // index into old
  for (const hunk of diff.hunks) {
    const first = hunk.lines.find((l) => l.oldNo !== undefined)?.oldNo ?? next + 1;
    while (next < first - 1) out.push(old[next++]!);
    for (const line of hunk.lines) {
      if (line.kind !== "add") {
        expect(old[next]).toBe(line.text);
        next++;
      }
      if (line.kind !== "remove") out.push(line.text);
    }
  }
  while (next < old.length) out.push(old[next++]!);
  return out;
}

function gitDiff(files: Record<string, { before: string | null; after: string | null }>): string {
  const dir = mkdtempSync(join(tmpdir(), "m2d-parse-diff-"));
  try {
    for (const side of ["a", "b"] as const) {
      for (const [path, texts] of Object.entries(files)) {
        const text = side === "a" ? texts.before : texts.after;
        if (text === null) continue;
        mkdirSync(join(dir, side, path, ".."), { recursive: true });
        writeFileSync(join(dir, side, path), text);
      }
      mkdirSync(join(dir, side), { recursive: true });
    }
    try {
      return execFileSync("git", ["-c", "core.quotePath=false", "diff", "--no-index", "--no-color", "--no-prefix", "a", "b"], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      // git diff --no-index exits 1 when the trees differ; that is the output we want.
      const { status, stdout } = error as { status: number; stdout: string };
      if (status === 1) return stdout;
      throw error;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("parseUnifiedDiff", () => {
  it("reads git's diff of an added, a deleted and a modified file back into hunks that rebuild each new file", () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const after = before.replace("line 2\n", "line two\n").replace("line 28\n", "-- not a header\nline 28\n");
    const files = {
      "src/app.ts": { before, after },
      "docs/new.md": { before: null, after: "# New\n\nhello\n" },
      "old.txt": { before: "gone\n", after: null },
    };
    const parsed = parseUnifiedDiff(gitDiff(files));
    const byPath = new Map(parsed.map((f) => [f.path.replace(/^[ab]\//, ""), f]));
    expect([...byPath.keys()].sort()).toEqual(["docs/new.md", "old.txt", "src/app.ts"]);
    expect(byPath.get("docs/new.md")!.status).toBe("added");
    expect(byPath.get("old.txt")!.status).toBe("deleted");
    const app = byPath.get("src/app.ts")!;
    expect(app.status).toBe("modified");
    // Two changes far apart are two hunks, and the "-- " line added in the second is an added line, not a header.
    expect(app.hunks).toHaveLength(2);
    expect(app.hunks[1]!.lines.filter((l) => l.kind === "add").map((l) => l.text)).toEqual(["-- not a header"]);
    for (const [path, { before: b, after: a }] of Object.entries(files)) expect(applyHunks(b, byPath.get(path)!)).toEqual(splitLines(a));
  });

  it("numbers lines as the agent's own diff does, for the same change", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\n";
    const after = "a\nb\nC\nd\ne\nf\ng\nh\ni\n";
    const [file] = parseUnifiedDiff(gitDiff({ "x.txt": { before, after } }));
    expect(file!.hunks).toEqual(unifiedHunks(before, after));
  });

  it("git's a/ b/ prefixes, a missing final newline, a binary file and a rename", () => {
    const text = [
      "diff --git a/src/one.ts b/src/one.ts",
      "index 1111111..2222222 100644",
      "--- a/src/one.ts",
      "+++ b/src/one.ts",
      "@@ -1 +1 @@",
      "-old",
      "\\ No newline at end of file",
      "+new",
      "\\ No newline at end of file",
      "diff --git a/logo.png b/logo.png",
      "new file mode 100644",
      "index 0000000..3333333",
      "Binary files /dev/null and b/logo.png differ",
      "diff --git a/before.md b/after.md",
      "similarity index 100%",
      "rename from before.md",
      "rename to after.md",
      "",
    ].join("\n");
    const [one, logo, renamed] = parseUnifiedDiff(text);
    expect(one).toMatchObject({ path: "src/one.ts", status: "modified", binary: false });
    expect(one!.hunks[0]!.lines).toEqual([
      { kind: "remove", text: "old", oldNo: 1 },
      { kind: "add", text: "new", newNo: 1 },
    ]);
    expect(logo).toEqual({ path: "logo.png", oldPath: null, status: "added", binary: true, hunks: [] });
    expect(renamed).toEqual({ path: "after.md", oldPath: "before.md", status: "renamed", binary: false, hunks: [] });
  });

  it("diff -ruN output (no git lines, timestamps after a tab) and an empty diff", () => {
    const text = ["diff -ruN a/n.txt b/n.txt", "--- a/n.txt\t2026-12-02 10:00:00", "+++ b/n.txt\t2026-12-02 10:01:00", "@@ -0,0 +1,2 @@", "+one", "+two", ""].join("\n");
    expect(parseUnifiedDiff(text)).toEqual([
      {
        path: "n.txt",
        oldPath: null,
        status: "modified",
        binary: false,
        hunks: [{ header: "@@ -0,0 +1,2 @@", lines: [{ kind: "add", text: "one", newNo: 1 }, { kind: "add", text: "two", newNo: 2 }] }],
      },
    ]);
    expect(parseUnifiedDiff("")).toEqual([]);
  });
});
