import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { arch, cpus, platform, release } from "node:os";
import { dataFolderOwnerName, type BackendInfo, type EngineStatus, type LoadedModel } from "../../app/contract";
import { dependencies } from "../../package.json";
import { redactSecrets } from "../log/redact";
import { readLogTail } from "../log/log-file";
import { formatBytes } from "../cli/format";
import { APP_VERSION } from "../version";
import { liveDataFolderOwner } from "../storage/data-lock";
import { systemMemory } from "../../node/system/memory";

export const DIAGNOSTICS_LOG_LINES = 200;
const RECENT_ERRORS = 10;
/** A report is wanted now: an engine that does not describe its backend in this long is reported as such. */
const BACKEND_TIMEOUT_MS = 10_000;

/** What a report is built from; each part may fail on its own and the rest still prints. */
export interface DiagnosticsSource {
  dataDir: string;
  databasePath: string;
  logPath: string;
  schemaVersion: () => number | string;
  /** The engine's state; absent where no engine runs (`m2d doctor`, which only probes one). */
  engineStatus?: () => EngineStatus;
  backend: () => Promise<BackendInfo | null>;
  /** The loaded model; absent where the report cannot know it (the app runs apart from `m2d doctor`). */
  loadedModel?: () => LoadedModel | null;
  secrets?: readonly string[];
}

type Section = { title: string; lines: string[] };

/** The plain-text report behind "Copy diagnostics" and `m2d doctor`: versions, machine, engine, paths, model, recent log. Redacted. */
export async function diagnosticsReport(source: DiagnosticsSource): Promise<string> {
  const sections: Section[] = [
    { title: "App", lines: appLines() },
    { title: "Machine", lines: machineLines() },
    { title: "Engine", lines: await engineLines(source) },
    { title: "Data", lines: dataLines(source) },
    { title: "Model", lines: modelLines(source) },
  ];
  const log = readLogTail(source.logPath, DIAGNOSTICS_LOG_LINES);
  const errors = logEntries(log).filter((entry) => /^\S+ \[error\]/.test(entry)).slice(-RECENT_ERRORS);
  sections.push({ title: `Recent errors (${errors.length})`, lines: errors.length ? errors : ["none in the recent log"] });
  sections.push({ title: `Log (last ${log.length} lines of ${source.logPath})`, lines: log.length ? log : ["empty"] });
  const text = [`M2 Desktop diagnostics · ${new Date().toISOString()}`, ...sections.map((s) => `\n== ${s.title} ==\n${s.lines.join("\n")}`)].join("\n");
  return redactSecrets(text, source.secrets ?? []);
}

function appLines(): string[] {
  const v = process.versions;
  return [
    `M2 Desktop ${APP_VERSION}`,
    v.electron ? `Electron ${v.electron} · Chromium ${v.chrome ?? "?"} · Node ${v.node}` : `Node ${v.node} (no Electron: CLI or headless host)`,
    `node-llama-cpp ${dependencies["node-llama-cpp"]}`,
  ];
}

function machineLines(): string[] {
  const cores = cpus();
  const memory = systemMemory();
  return [
    `Platform: ${platform()} ${arch()} (${release()})`,
    `CPU: ${cores[0]?.model.trim() ?? "unknown"} × ${cores.length}`,
    `RAM: ${formatBytes(memory.total)} total, ${formatBytes(memory.available)} available`,
  ];
}

async function engineLines(source: DiagnosticsSource): Promise<string[]> {
  const lines: string[] = [];
  if (source.engineStatus) {
    const s = source.engineStatus();
    const exit = s.lastExit ? ` · last exit: ${s.lastExit.signal ?? `code ${s.lastExit.code}`} (${s.lastExit.reason ?? "exited"}) at ${new Date(s.lastExit.at).toISOString()}` : "";
    lines.push(`Status: ${s.state}${s.pid ? ` (pid ${s.pid})` : ""} · restarts ${s.restarts}${exit}`);
  } else {
    lines.push("Status: not visible here (a running app's engine is its own; this probe used a short-lived one)");
  }
  const backend = await attempt(() => withTimeout(source.backend(), BACKEND_TIMEOUT_MS, "the engine did not describe its backend within 10 s"));
  if (typeof backend === "string") lines.push(`Backend: unavailable (${backend})`);
  else if (!backend) lines.push("Backend: unavailable (the engine did not answer)");
  else {
    lines.push(`Backend: ${backend.backend} · ${backend.cpuThreads} math threads`);
    lines.push(backend.devices.length ? `GPU(s): ${backend.devices.join(", ")} · VRAM ${formatBytes(backend.vram.free)} free of ${formatBytes(backend.vram.total)}` : "GPU(s): none");
  }
  return lines;
}

function dataLines(source: DiagnosticsSource): string[] {
  const schema = attemptSync(source.schemaVersion);
  return [
    `Data folder: ${source.dataDir}`,
    `Owner: ${ownerLine(source.dataDir)}`,
    `Database: ${source.databasePath} (schema ${schema})`,
    `Log file: ${source.logPath}${logFolderProblem(source.logPath) ?? ""}`,
  ];
}

/** Who holds the data folder's lock (the app reports itself; `m2d doctor` may see the app or a host). */
function ownerLine(dataDir: string): string {
  try {
    const owner = liveDataFolderOwner(dataDir);
    if (!owner) return "none running";
    return `${dataFolderOwnerName(owner)}, pid ${owner.pid}, since ${owner.startedAt}${owner.host ? `, at ${owner.host.url}` : ""}`;
  } catch (error) {
    return `unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Why the log's folder cannot take writes (its nearest existing ancestor is a file, or read-only), else undefined. */
function logFolderProblem(logPath: string): string | undefined {
  let dir = dirname(logPath);
  for (;;) {
    try {
      if (!statSync(dir).isDirectory()) return ` (not writable: ${dir} is not a folder)`;
      accessSync(dir, constants.W_OK);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(dir) === dir) return ` (not writable: ${(error as Error).message})`;
      dir = dirname(dir);
    }
  }
}

function modelLines(source: DiagnosticsSource): string[] {
  if (!source.loadedModel) return ["Not known here: the model lives in the running app's engine."];
  const loaded = attemptSync(source.loadedModel);
  if (typeof loaded === "string") return [`Unavailable (${loaded})`];
  if (!loaded) return ["None loaded"];
  const r = loaded.report;
  return [
    `Path: ${r.path}`,
    `Architecture: ${r.architecture} · quantization ${r.quantization} · ${formatBytes(r.fileSizeBytes)}`,
    `Context: ${loaded.contextSize} · prompts: ${loaded.promptFormat} · on ${loaded.backend.backend}`,
  ];
}

/** Log lines grouped into entries: a stack's lines belong to the timestamped line above them. */
function logEntries(lines: string[]): string[] {
  const entries: string[] = [];
  for (const line of lines) {
    if (/^\d{4}-\d\d-\d\dT/.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function attempt<T>(get: () => Promise<T>): Promise<T | string> {
  try {
    return await get();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function attemptSync<T>(get: () => T): T | string {
  try {
    return get();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
