import { defineConfig } from "@playwright/test";
import base from "../playwright.config";

/** Only for `node scripts/bench-ui.mjs`: the UI benchmark is not part of the e2e suite. */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "bench-ui.ts",
  timeout: 20 * 60_000,
  reporter: [["list"]],
});
