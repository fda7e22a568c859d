import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, "..");

// Packaging needs Electron's binary, so it cannot run here; electron-builder's own schema check can.
describe("electron-builder.yml", () => {
  const config = require("js-yaml").load(readFileSync(join(root, "electron-builder.yml"), "utf8"));
  const { validateConfiguration } = require("app-builder-lib/out/util/config/config");

  it("passes electron-builder's schema validation", async () => {
    await expect(validateConfiguration(config, { warn: () => undefined })).resolves.toBeUndefined();
  });

  it("targets AppImage/deb, dmg for arm64 and x64, and nsis, with native modules outside the asar", () => {
    expect(config.linux.target).toEqual(["AppImage", "deb"]);
    expect(config.mac.target[0]).toEqual({ target: "dmg", arch: ["arm64", "x64"] });
    expect(config.win.target).toEqual(["nsis"]);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(["node_modules/better-sqlite3/**", "node_modules/node-llama-cpp/**"]));
  });
});
