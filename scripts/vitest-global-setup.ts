import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Tests that fork the real engine process need the built bundle; `npm test` builds first, a bare `vitest` may not. */
export default function setup(): void {
  const root = join(import.meta.dirname, "..");
  if (existsSync(join(root, "dist", "engine", "main.js"))) return;
  const result = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}
