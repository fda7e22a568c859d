/** How Hub repos lay out one quant: a single file, gguf-split shards, or byte-split parts to concatenate. */

export interface RemoteFile {
  path: string;
  size: number;
  /** LFS sha256, lowercase hex; null when the Hub gave none (non-LFS files). */
  sha256: string | null;
}

export type GroupLayout = "single" | "split" | "concat";

export interface QuantGroup {
  /** Stable key: folder + base name without the part suffix. */
  key: string;
  quant: string | null;
  layout: GroupLayout;
  /** Files in part order. */
  files: RemoteFile[];
  /** Declared part count (1 for single files). */
  partCount: number;
  complete: boolean;
  totalBytes: number;
}

// llama.cpp's gguf-split naming: name-00001-of-00003.gguf (each shard is a valid GGUF).
const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
// Byte-split uploads (mradermacher): name.gguf.part1of3 (only the first part starts with a header).
const CONCAT = /^(.*\.gguf)\.part(\d+)of(\d+)$/i;
const QUANT =
  /(?:^|[-_.])((?:UD-)?(?:I?Q\d(?:_[A-Z0-9]+)*|TQ\d_\d|BF16|F16|F32|MXFP4(?:_MOE)?))(?=$|[-_.])/i;

export interface PartInfo {
  base: string;
  layout: GroupLayout;
  index: number;
  count: number;
}

export function partInfo(fileName: string): PartInfo | null {
  const split = SPLIT.exec(fileName);
  if (split) return { base: `${split[1]}.gguf`, layout: "split", index: Number(split[2]), count: Number(split[3]) };
  const concat = CONCAT.exec(fileName);
  if (concat) return { base: concat[1] ?? fileName, layout: "concat", index: Number(concat[2]), count: Number(concat[3]) };
  if (/\.gguf$/i.test(fileName)) return { base: fileName, layout: "single", index: 1, count: 1 };
  return null;
}

/** "MiniMax-M2-UD-Q2_K_XL.gguf" → "UD-Q2_K_XL"; falls back to the folder name (unsloth keeps one per quant). */
export function quantOf(path: string): string | null {
  const segments = path.split("/");
  const file = segments[segments.length - 1] ?? "";
  const info = partInfo(file);
  const stem = (info?.base ?? file).replace(/\.gguf$/i, "");
  const fromName = QUANT.exec(stem)?.[1];
  if (fromName) return fromName.toUpperCase();
  for (const dir of segments.slice(0, -1).reverse()) {
    const fromDir = QUANT.exec(dir)?.[1];
    if (fromDir) return fromDir.toUpperCase();
  }
  return null;
}

function dirOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at + 1);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Groups a repo listing into downloadable models; non-GGUF files and projectors are left out. */
export function groupQuants(files: readonly RemoteFile[]): QuantGroup[] {
  const groups = new Map<string, { layout: GroupLayout; count: number; parts: Map<number, RemoteFile> }>();
  for (const file of files) {
    const name = baseName(file.path);
    if (/mmproj/i.test(name)) continue;
    const info = partInfo(name);
    if (!info) continue;
    const key = `${dirOf(file.path)}${info.base}#${info.layout}`;
    const group = groups.get(key) ?? { layout: info.layout, count: info.count, parts: new Map() };
    group.count = Math.max(group.count, info.count);
    group.parts.set(info.index, file);
    groups.set(key, group);
  }
  const result: QuantGroup[] = [];
  for (const [key, group] of groups) {
    const ordered = [...group.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    const first = ordered[0];
    if (!first) continue;
    const complete = ordered.length === group.count && [...group.parts.keys()].every((i) => i >= 1 && i <= group.count);
    result.push({
      key: key.replace(/#.*$/, ""),
      quant: quantOf(first.path),
      layout: group.layout,
      files: ordered,
      partCount: group.count,
      complete,
      totalBytes: ordered.reduce((sum, f) => sum + f.size, 0),
    });
  }
  return result.sort((a, b) => a.totalBytes - b.totalBytes || a.key.localeCompare(b.key));
}

/** The name a group is stored under: shards keep theirs, concatenated parts become one .gguf. */
export function localNames(group: QuantGroup): string[] {
  if (group.layout === "concat") return [baseName(group.key)];
  return group.files.map((f) => baseName(f.path));
}
