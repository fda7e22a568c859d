import { _electron as electron, expect, test } from "@playwright/test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

/** Electron's binary is downloaded by its postinstall, which cannot run on machines without internet. */
function electronBinary(): string | undefined {
  const pathFile = join(root, "node_modules", "electron", "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = join(root, "node_modules", "electron", "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();

test.describe("Electron app (real Electron binary)", () => {
  test.skip(!binary, "Electron's binary is not installed here (its download needs internet); the same UI is covered headless in shell.spec.ts");

  test("the window loads with the security baseline and shows a live engine", async () => {
    const app = await electron.launch({
      executablePath: binary,
      args: [join(root, "dist", "main", "electron", "main.js")],
      env: { ...process.env, M2D_DATA_DIR: mkdtempSync(join(tmpdir(), "m2d-electron-")) },
    });
    const window = await app.firstWindow();
    await expect(window.getByTestId("engine-status")).toHaveText(/Engine: ready/);
    // Isolated and sandboxed: no Node in the page, and the bridge exposes only the contract.
    const page = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as { m2d?: object }).m2d ?? {}).sort(),
    }));
    expect(page).toEqual({ require: "undefined", process: "undefined", bridge: ["call", "onEvent"] });
    await app.close();
  });
});
