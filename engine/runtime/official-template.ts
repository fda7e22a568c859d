import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelFamily } from "../../app/family";

const cache = new Map<string, string>();

/** A chat template shipped in resources/ (`templateFile` of a family, e.g. "minimax-m2.jinja"). */
export function shippedTemplate(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(findResource(file), "utf8");
    cache.set(file, text);
  }
  return text;
}

/** The family's official chat template, when the app ships a copy of it. */
export function officialTemplate(family: ModelFamily): string | undefined {
  return family.templateFile === undefined ? undefined : shippedTemplate(family.templateFile);
}

/** The official MiniMax-M2 chat template, shipped in resources/ (from llama.cpp's models/templates). */
export function officialM2Template(): string {
  return shippedTemplate("minimax-m2.jinja");
}

/** From source (engine/runtime/) and from the bundle (dist/engine/), resources/ is two folders up. */
function findResource(name: string): string {
  const path = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "resources", name);
  if (!existsSync(path)) throw new Error(`Resource not found: ${path}`);
  return path;
}
