// `npm start`: launch the Electron app when its binary exists; otherwise explain why and serve the same UI headless.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureElectronSqlite } from "./electron-native.mjs";

const root = new URL("..", import.meta.url).pathname;
const electronDir = join(root, "node_modules", "electron");

function electronBinary() {
  const pathFile = join(electronDir, "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDir, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

function tryInstallElectron() {
  console.log("Electron's binary is missing; trying to download it (node node_modules/electron/install.js)…");
  const result = spawnSync(process.execPath, [join(electronDir, "install.js")], { stdio: "inherit", timeout: 120_000 });
  return result.status === 0 ? electronBinary() : undefined;
}

function serveHeadless() {
  console.log(
    [
      "",
      "M2 Desktop could not start its Electron window because Electron's binary is not installed, and downloading it",
      "failed (Electron's postinstall download is skipped on purpose so that `npm install` works without internet access).",
      "The app runs the same backend and UI headless instead: open the URL below in any browser. To get the desktop window,",
      "run `node node_modules/electron/install.js` on a machine with internet access, then `npm start` again.",
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [join(root, "dist", "main", "cli", "m2d.js"), "serve", "--open", ...process.argv.slice(2)], { stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
}

const binary = electronBinary() ?? tryInstallElectron();
if (!binary) {
  serveHeadless();
} else {
  const env = { ...process.env };
  const binding = ensureElectronSqlite(root);
  if (binding) env.M2D_SQLITE_BINDING = binding;
  const child = spawn(binary, [join(root, "dist", "main", "electron", "main.js")], { stdio: "inherit", env });
  child.on("exit", (code) => process.exit(code ?? 0));
}
