import { appendFileSync, closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { redactSecrets } from "./redact";

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP_FILES = 3;
/** One entry is capped: a runaway message (a huge stack, a megabyte of stderr) must not fill the file alone. */
const MAX_ENTRY_CHARS = 16_384;

export interface LogFileOptions {
  path: string;
  maxBytes?: number;
  /** Rotated files kept beside the live one: `m2d.log.1` (newest) … `m2d.log.<keep>`. */
  keep?: number;
  /** Values to blank out wherever they appear (the Hub token, the host's launch token). */
  secrets?: () => readonly string[];
  now?: () => Date;
}

/**
 * The app's log file: synchronous appends (each entry lands even if the process dies next), rotation at
 * a size limit, secrets redacted. It never throws into the caller: a full disk or a read-only folder
 * costs the log, not the app; the last failure is kept for the diagnostics report.
 */
export class LogFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private size: number | undefined;
  private failure: string | undefined;

  constructor(private readonly options: LogFileOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
    this.keep = options.keep ?? LOG_KEEP_FILES;
  }

  /** Why the last write failed, or undefined while the log works. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  write(level: string, message: string): void {
    try {
      const text = message.length > MAX_ENTRY_CHARS ? `${message.slice(0, MAX_ENTRY_CHARS)}… [${message.length - MAX_ENTRY_CHARS} more chars]` : message;
      const entry = `${(this.options.now?.() ?? new Date()).toISOString()} [${level}] ${redactSecrets(text, this.options.secrets?.() ?? [])}\n`;
      const bytes = Buffer.byteLength(entry);
      if (this.size === undefined) this.size = this.currentSize();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, entry, { mode: 0o600 });
      this.size += bytes;
      this.failure = undefined;
    } catch (error) {
      this.size = undefined; // re-read the size next time: the failed append may have written part of it
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  private currentSize(): number {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** m2d.log → m2d.log.1 → … → m2d.log.<keep>; the oldest goes. */
  private rotate(): void {
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      try {
        renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      } catch {
        // not there yet: fewer rotations so far than kept files
      }
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.size = 0;
  }
}

/** The last `maxLines` lines of the log (reaching into `.1` when the live file was just rotated); [] when there is none. */
export function readLogTail(path: string, maxLines: number): string[] {
  const lines: string[] = [];
  for (const file of [path, `${path}.1`]) {
    lines.unshift(...tailLines(file, maxLines - lines.length));
    if (lines.length >= maxLines) break;
  }
  return lines.slice(-maxLines);
}

/** Reads only the file's end (about 400 bytes a line): a 5 MiB log is not loaded to show 200 lines. */
function tailLines(file: string, maxLines: number): string[] {
  if (maxLines <= 0) return [];
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, Math.max(64 * 1024, maxLines * 400));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (length < size) lines.shift(); // a partial first line
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-maxLines);
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}
