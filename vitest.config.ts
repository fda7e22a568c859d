import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{app,node,main,engine,renderer,scripts,testing}/**/*.test.{ts,tsx}"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["scripts/vitest-global-setup.ts"],
  },
});
