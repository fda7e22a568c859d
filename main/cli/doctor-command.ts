import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { readHubSettings } from "../downloads/settings";
import { diagnosticsReport } from "../diagnostics/report";
import { databasePath, defaultDataDir, logFilePath } from "../paths";
import { schemaVersion } from "../storage/database";
import { defineCommand, parseCommandArgs } from "./command-spec";
import { withEngine } from "./engine-session";

/** A backend probe opens llama.cpp and lists devices: seconds, not minutes, unless a driver hangs. */
const PROBE_TIMEOUT_MS = 60_000;

export const doctorSpec = defineCommand({
  name: "doctor",
  summary: "print versions, machine, compute backend, paths and recent errors (no app or model needed)",
  positionals: "",
  options: {
    "data-dir": { type: "string", value: "DIR", help: "the data folder to report on (default: the app's, or $M2D_DATA_DIR)" },
    "no-engine": { type: "boolean", default: false, help: "do not start an engine to probe the compute backend" },
  },
});

/**
 * `m2d doctor`: the diagnostics report on the terminal. It needs no running app and no model: it reads the data
 * folder without changing it (the database read-only, never migrated) and probes the compute backend in a
 * short-lived engine of its own.
 */
export async function doctorCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(doctorSpec, argv);
  const dataDir = values["data-dir"] ?? defaultDataDir();
  const dbPath = databasePath(dataDir);
  const stored = readStored(dbPath);
  const report = await diagnosticsReport({
    dataDir,
    databasePath: dbPath,
    logPath: logFilePath(dataDir),
    schemaVersion: () => stored.schemaVersion,
    backend: () =>
      values["no-engine"]
        ? Promise.reject(new Error("not probed: --no-engine"))
        : withEngine(({ engine }) => engine.request({ op: "backend", gpu: "auto" }, { timeoutMs: PROBE_TIMEOUT_MS })),
    secrets: [stored.hubToken, process.env.HF_TOKEN].filter((t): t is string => !!t),
  });
  console.log(report);
}

/** The schema version and the Hub token (to redact), read without writing: the app may be running on this folder. */
function readStored(path: string): { schemaVersion: number | string; hubToken?: string } {
  if (!existsSync(path)) return { schemaVersion: "none: no database yet" };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const version = schemaVersion(db);
    const { token } = readHubSettings(db);
    return { schemaVersion: version, ...(token ? { hubToken: token } : {}) };
  } catch (error) {
    return { schemaVersion: `unreadable: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    db?.close();
  }
}
