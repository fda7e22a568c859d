import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

/**
 * Bundles a TypeScript entry into plain ESM that node can fork (node 20 cannot strip types).
 * The output lives under node_modules/.cache so its external packages (better-sqlite3, zod)
 * resolve from the project's node_modules.
 */
export async function bundleEntry(entry: string, root = process.cwd()): Promise<{ file: string; remove(): void }> {
  const base = join(root, "node_modules", ".cache");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "m2d-downloads-"));
  const file = join(dir, "entry.mjs");
  await build({ entryPoints: [entry], outfile: file, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
