// Bundles the engine benchmark (TypeScript) and runs it; see scripts/bench/engine-bench.ts.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
if (process.env.BENCH_SKIP_BUILD !== "1") spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
const outfile = `${root}.cache/bench/engine-bench.mjs`;

/** Our modules find files relative to themselves (dist/, resources/): keep their own import.meta paths in the bundle. */
const sourceRelativePaths = {
  name: "source-relative-paths",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const contents = source
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(path)))
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href));
      return { contents, loader: "ts" };
    });
  },
};

await build({ absWorkingDir: root, entryPoints: ["scripts/bench/engine-bench.ts"], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning", plugins: [sourceRelativePaths] });
const result = spawnSync(process.execPath, [outfile], { stdio: "inherit" });
process.exit(result.status ?? 1);
