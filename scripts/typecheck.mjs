// Type-checks each layer with only the globals it runs with (app: neither DOM nor Node; renderer: DOM only;
// node, engine, main, testing: Node only), then the whole repo with tests, e2e and scripts.
// Which layer may import which is the lint rule in scripts/lint/layers.js.
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const projects = ["app", "node", "engine", "main", "renderer", "testing"].map((l) => `${l}/tsconfig.json`).concat("tsconfig.json");
let failed = 0;
for (const project of projects) {
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", project, "--noEmit"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`typecheck: ${project} failed`);
  }
}
process.exit(failed ? 1 : 0);
