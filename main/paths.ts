import { homedir } from "node:os";
import { join } from "node:path";

export const PRODUCT_NAME = "M2 Desktop";

/** Same folder as Electron's app.getPath("userData"), so the app and the headless host share data. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.M2D_DATA_DIR) return env.M2D_DATA_DIR;
  switch (process.platform) {
    case "darwin":
      return join(homedir(), "Library", "Application Support", PRODUCT_NAME);
    case "win32":
      return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), PRODUCT_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), PRODUCT_NAME);
  }
}

export function databasePath(dataDir: string): string {
  return join(dataDir, "m2d.sqlite");
}

/** The app's log file; rotated copies sit beside it as m2d.log.1 … m2d.log.3. */
export function logFilePath(dataDir: string): string {
  return join(dataDir, "logs", "m2d.log");
}
