#!/usr/bin/env node
// The CLI is bundled by `npm run build`; this shim only points at the bundle.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/main/cli/m2d.js", import.meta.url));
if (!existsSync(bundle)) {
  console.error("m2d: the app is not built yet. Run `npm run build` in the M2 Desktop checkout first.");
  process.exit(1);
}
await import(bundle);
