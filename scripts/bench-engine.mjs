// Bundles the engine benchmark (TypeScript) and runs it; see scripts/bench/engine-bench.ts.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
const outfile = `${root}.cache/bench/engine-bench.mjs`;
await build({ absWorkingDir: root, entryPoints: ["scripts/bench/engine-bench.ts"], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
const result = spawnSync(process.execPath, [outfile], { stdio: "inherit" });
process.exit(result.status ?? 1);
