// Electron needs better-sqlite3 built for its own ABI, while `npm test` needs Node's. Keep the Electron build
// apart (in .cache/electron-native/<electron version>/) and hand its path to the app as M2D_SQLITE_BINDING.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export function ensureElectronSqlite(root) {
  const electronVersion = JSON.parse(readFileSync(join(root, "node_modules", "electron", "package.json"), "utf8")).version;
  const sqliteVersion = JSON.parse(readFileSync(join(root, "node_modules", "better-sqlite3", "package.json"), "utf8")).version;
  const outDir = join(root, ".cache", "electron-native", `electron-${electronVersion}-better-sqlite3-${sqliteVersion}`);
  const binding = join(outDir, "better_sqlite3.node");
  if (existsSync(binding)) return binding;

  console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)…`);
  const work = join(outDir, "src");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  cpSync(join(root, "node_modules", "better-sqlite3"), work, { recursive: true, filter: (p) => !p.includes(`${join("build", "")}`) });
  const prebuilt = spawnSync("npx", ["--no", "prebuild-install", "--runtime", "electron", "--target", electronVersion], { cwd: work, stdio: "inherit" });
  if (prebuilt.status !== 0) {
    const built = spawnSync(
      "npx",
      ["--no", "node-gyp", "rebuild", "--release", `--target=${electronVersion}`, "--dist-url=https://electronjs.org/headers", "--runtime=electron"],
      { cwd: work, stdio: "inherit" },
    );
    if (built.status !== 0) {
      console.error("Could not build better-sqlite3 for Electron; the app will fail to open its database.");
      return undefined;
    }
  }
  cpSync(join(work, "build", "Release", "better_sqlite3.node"), binding);
  rmSync(work, { recursive: true, force: true });
  return binding;
}
