// Bundles the API server benchmark (TypeScript) and runs it; see scripts/bench/api-bench.ts.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
const outfile = `${root}.cache/bench/api-bench.mjs`;
await build({ absWorkingDir: root, entryPoints: ["scripts/bench/api-bench.ts"], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning",
  // The engine harness finds dist/ next to testing/; bundled, it would look beside the bundle.
  define: { "import.meta.dirname": JSON.stringify(`${root}testing`) } });
const result = spawnSync(process.execPath, [outfile], { stdio: "inherit", env: { ...process.env, M2D_ENGINE_THREADS: process.env.M2D_ENGINE_THREADS ?? "1" } });
process.exit(result.status ?? 1);
