import { defineConfig } from "@playwright/test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import base from "../playwright.config";

/** Only for `node scripts/bench-ui.mjs`: the UI benchmark is not part of the e2e suite. */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "bench-ui.ts",
  timeout: 20 * 60_000,
  reporter: [["list"]],
  // Its own output folder: an e2e run elsewhere in the checkout empties test-results/.
  outputDir: join(tmpdir(), "m2d-bench-ui-results"),
  use: { ...base.use, trace: "off" },
});
