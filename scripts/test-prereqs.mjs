#!/usr/bin/env node
// What `npm test` needs beyond node_modules: Debian's Chromium (Playwright, check_page) and bubblewrap
// (the agent sandbox and its attack suites). Installs what is missing where it can (root with apt-get,
// as on a fresh CI machine), else stops at once with the exact command to run.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

const NEEDED = [
  { binary: "chromium", paths: ["/usr/bin/chromium"], pkg: "chromium" },
  { binary: "bwrap", paths: ["/usr/bin/bwrap"], pkg: "bubblewrap" },
];

const present = ({ paths }) =>
  paths.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const missing = NEEDED.filter((need) => !present(need) && spawnSync("sh", ["-c", `command -v ${need.binary}`]).status !== 0);
if (missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.pkg);
const install = `apt-get install -y --no-install-recommends ${packages.join(" ")}`;
const command = `apt-get update && ${install}`;
const canInstall = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
if (!canInstall) {
  console.error(`npm test needs ${packages.join(" and ")}, which ${packages.length === 1 ? "is" : "are"} not installed. Run:\n  sudo apt-get update && sudo ${install}`);
  process.exit(1);
}
console.error(`Installing what the tests need: ${packages.join(", ")}`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const step of [["apt-get", ["update", "-qq"]], ["apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages]]]) {
  const result = spawnSync(step[0], step[1], { stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`Installing failed (${step[0]} ${step[1].join(" ")} exited ${result.status}). Run:\n  ${command}`);
    process.exit(1);
  }
}
