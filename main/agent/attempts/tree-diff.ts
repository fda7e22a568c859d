import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { unifiedHunks } from "../../../app/agent/unified-diff";
import { GIT_DIR_NAME } from "../../../app/agent/protected-paths";
import { looksBinary } from "../tools/read-file";

/**
 * What an attempt changed: its copy against the untouched base copy made when the run started, as `diff -ruN`
 * would print it (git-style headers). Both trees are read with lstat and readlink only, so a symlink the model
 * planted is compared as a link and never followed. The repository and the reproduction tests are left out.
 */

export const REPRO_DIR = ".m2d-repro";
const LEFT_OUT = new Set([GIT_DIR_NAME, REPRO_DIR]);

type Entry = { kind: "file"; bytes: Buffer } | { kind: "link"; target: string };

async function readTree(root: string, prefix = ""): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    if (prefix === "" && LEFT_OUT.has(entry.name)) continue;
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    const absolute = join(root, relative);
    if (entry.isDirectory()) for (const [path, value] of await readTree(root, relative)) out.set(path, value);
    else if (entry.isSymbolicLink()) out.set(relative, { kind: "link", target: await readlink(absolute) });
    else if (entry.isFile() && (await lstat(absolute)).isFile()) out.set(relative, { kind: "file", bytes: await readFile(absolute) });
  }
  return out;
}

export interface TreeChange {
  path: string;
  /** null: the file does not exist on that side. */
  before: Entry | null;
  after: Entry | null;
}

const same = (a: Entry | null, b: Entry | null) =>
  a?.kind === b?.kind && (a === null || (a.kind === "file" ? b?.kind === "file" && a.bytes.equals(b.bytes) : b?.kind === "link" && a.target === b.target));

export async function treeChanges(base: string, copy: string): Promise<TreeChange[]> {
  const [before, after] = await Promise.all([readTree(base), readTree(copy)]);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths.map((path) => ({ path, before: before.get(path) ?? null, after: after.get(path) ?? null })).filter((c) => !same(c.before, c.after));
}

const asText = (entry: Entry | null): string | null => (entry === null ? null : entry.kind === "link" ? `${entry.target}\n` : entry.bytes.toString("utf8"));
const binary = (entry: Entry | null) => entry?.kind === "file" && looksBinary(entry.bytes);

/** The changes as one unified diff. */
export function formatTreeDiff(changes: readonly TreeChange[]): string {
  const mark = { context: " ", add: "+", remove: "-" } as const;
  const lines: string[] = [];
  for (const { path, before, after } of changes) {
    lines.push(`diff --git a/${path} b/${path}`);
    if (before === null) lines.push(`new file mode ${after?.kind === "link" ? "120000" : "100644"}`);
    if (after === null) lines.push(`deleted file mode ${before?.kind === "link" ? "120000" : "100644"}`);
    if (binary(before) || binary(after)) {
      lines.push(`Binary files ${before ? `a/${path}` : "/dev/null"} and ${after ? `b/${path}` : "/dev/null"} differ`);
      continue;
    }
    lines.push(`--- ${before ? `a/${path}` : "/dev/null"}`, `+++ ${after ? `b/${path}` : "/dev/null"}`);
    for (const hunk of unifiedHunks(asText(before), asText(after))) lines.push(hunk.header, ...hunk.lines.map((l) => `${mark[l.kind]}${l.text}`));
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
