// Builds every process: main (Electron + CLI/headless host), preload, engine, and the renderer.
import { build as esbuild } from "esbuild";
import { build as viteBuild } from "vite";
import { rmSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

const node = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  packages: "external",
  logLevel: "warning",
};

await Promise.all([
  esbuild({
    ...node,
    format: "esm",
    entryPoints: {
      "main/cli/m2d": "main/cli/m2d.ts",
      "main/electron/main": "main/electron/main.ts",
      "engine/main": "engine/main.ts",
    },
    outdir: "dist",
    // ESM output still meets CommonJS dependencies that call require().
    banner: { js: "import { createRequire as __m2dRequire } from 'node:module'; const require = __m2dRequire(import.meta.url);" },
  }),
  // Sandboxed preloads must be a single CommonJS file: only `electron` may be required.
  esbuild({
    ...node,
    packages: undefined,
    external: ["electron"],
    format: "cjs",
    entryPoints: { "main/electron/preload": "main/electron/preload.ts" },
    outExtension: { ".js": ".cjs" },
    outdir: "dist",
  }),
  viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: "warn" }),
]);
console.log("built dist/");
