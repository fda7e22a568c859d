/** Lexical POSIX path helpers for the pure layer (no symlinks: the backend resolves those). */

export function normalizePosix(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}

export function resolvePosix(base: string, path: string): string {
  return normalizePosix(path.startsWith("/") ? path : `${base}/${path}`);
}

/** The path of `target` relative to `root`, or null when it is not inside it (root itself is ""). */
export function relativeInside(root: string, target: string): string | null {
  const r = normalizePosix(root);
  const t = normalizePosix(target);
  if (t === r) return "";
  const prefix = r === "/" ? "/" : `${r}/`;
  return t.startsWith(prefix) ? t.slice(prefix.length) : null;
}
