import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The official MiniMax-M2 chat template, shipped in resources/ (from llama.cpp's models/templates). */
export function officialM2Template(): string {
  cached ??= readFileSync(findResource("minimax-m2.jinja"), "utf8");
  return cached;
}

/** From source (engine/runtime/) and from the bundle (dist/engine/), resources/ is two folders up. */
function findResource(name: string): string {
  const path = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "resources", name);
  if (!existsSync(path)) throw new Error(`Resource not found: ${path}`);
  return path;
}
