import { logFilePath } from "../paths";
import { LogFile } from "./log-file";

export type Log = (level: string, message: string) => void;

export interface AppLog {
  /** Writes to the log file, and to stderr as before. Pass it as BackendOptions.log. */
  log: Log;
  file: LogFile;
  /** A value to redact from now on (the host's launch token). */
  addSecret(value: string): void;
}

/** The log of a process that owns a backend (the Electron app, `m2d serve`): `<dataDir>/logs/m2d.log`. */
export function openAppLog(dataDir: string, { echo = true }: { echo?: boolean } = {}): AppLog {
  const secrets = new Set<string>();
  const file = new LogFile({
    path: logFilePath(dataDir),
    secrets: () => [...secrets, ...(process.env.HF_TOKEN ? [process.env.HF_TOKEN] : [])],
  });
  const log: Log = (level, message) => {
    file.write(level, message);
    if (echo) console.error(`[${level}] ${message}`);
  };
  return { log, file, addSecret: (value) => void secrets.add(value) };
}

/** An error as the log wants it: the stack (which starts with the message), else its text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Failures nobody caught reach the log with their stack. A rejection nobody awaited is logged and the process
 * goes on (the backend turns failures into data; one stray promise must not end running answers and downloads).
 * An uncaught throw is only watched: the process still dies as before, and the synchronous append has its stack.
 */
export function logUncaughtErrors(log: Log): void {
  process.on("unhandledRejection", (reason) => log("error", `Unhandled rejection: ${describeError(reason)}`));
  process.on("uncaughtExceptionMonitor", (error, origin) => {
    if (origin === "uncaughtException") log("error", `Uncaught exception: ${describeError(error)}`);
  });
}
