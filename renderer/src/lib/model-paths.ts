import type { LoadedModel } from "../../../app/contract";

/** One spelling per file for comparing paths the user typed with those the host resolved ("a//b/./c/" → "a/b/c"). */
export function normalPath(path: string): string {
  const p = path.trim().replace(/\\/g, "/").replace(/\/\.(?=\/|$)/g, "").replace(/\/{2,}/g, "/");
  return p.length > 1 ? p.replace(/\/$/, "") : p;
}

/** Whether `path` names the loaded model's file. */
export function isLoadedPath(loaded: LoadedModel | null, path: string): boolean {
  return loaded !== null && normalPath(loaded.report.path) === normalPath(path);
}
