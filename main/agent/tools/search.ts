import { Worker } from "node:worker_threads";
import { AppError } from "../../../app/contract/errors";
import type { PathGuard } from "../paths";
import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import { looksBinary } from "./read-file";
import type { ToolArgs } from "./schemas";
import { walk } from "./walk";

const MAX_MATCHES = 200;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const BATCH_BYTES = 1024 * 1024;
const TIME_BUDGET_MS = 10_000;
const LINE_PREVIEW = 300;

/**
 * The model's regex runs in a worker thread: a catastrophically backtracking pattern would
 * otherwise freeze the backend's event loop. The worker is terminated when the budget runs out.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", ({ pattern, files, limit }) => {
  const re = new RegExp(pattern);
  const out = [];
  for (const file of files) {
    const lines = file.text.split("\\n");
    for (let i = 0; i < lines.length && out.length < limit; i++) {
      if (re.test(lines[i])) out.push([file.path, i + 1, lines[i].slice(0, ${LINE_PREVIEW})]);
    }
  }
  parentPort.postMessage(out);
});`;

type Match = [path: string, line: number, text: string];

class RegexWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private pending: { resolve: (m: Match[]) => void; reject: (e: Error) => void } | null = null;

  constructor() {
    this.worker.on("message", (matches: Match[]) => this.pending?.resolve(matches));
    this.worker.on("error", (error) => this.pending?.reject(error));
  }

  match(pattern: string, files: { path: string; text: string }[], limit: number, timeoutMs: number): Promise<Match[] | "timeout"> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve("timeout"), Math.max(timeoutMs, 1));
      const done = () => {
        clearTimeout(timer);
        this.pending = null;
      };
      this.pending = {
        resolve: (matches) => {
          done();
          resolve(matches);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      this.worker.postMessage({ pattern, files, limit });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Through the guard's no-follow open: a folder swapped for a symlink since the walk saw it is not followed. */
async function readCandidate(guard: PathGuard, relative: string): Promise<string | null> {
  const opened = await guard.openForRead(relative).catch(() => null);
  if (!opened) return null;
  const { handle } = opened;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.nlink > 1 || stats.size > MAX_FILE_BYTES) return null;
    const bytes = await handle.readFile();
    return looksBinary(bytes) ? null : bytes.toString("utf8");
  } finally {
    await handle.close();
  }
}

export async function searchTool(ctx: ToolContext, args: ToolArgs["search"], budgetMs = TIME_BUDGET_MS): Promise<ToolOutput> {
  try {
    new RegExp(args.pattern);
  } catch (error) {
    throw new AppError("bad_request", `Invalid regular expression: ${(error as Error).message}`, { reason: "bad_pattern", pattern: args.pattern });
  }
  const scope = await ctx.guard.resolve(args.path ?? ".");
  if (!scope.stats) throw new AppError("bad_request", `${args.path ?? "."} does not exist.`, { reason: "not_found", path: args.path });
  const deadline = Date.now() + budgetMs;
  const worker = new RegexWorker();
  const matches: Match[] = [];
  let skipped = 0;
  let timedOut = false;
  let batch: { path: string; text: string }[] = [];
  let batchBytes = 0;

  const flush = async () => {
    if (batch.length === 0 || matches.length >= MAX_MATCHES) return;
    const found = await worker.match(args.pattern, batch, MAX_MATCHES - matches.length + 1, deadline - Date.now());
    batch = [];
    batchBytes = 0;
    if (found === "timeout") timedOut = true;
    else matches.push(...found);
  };

  try {
    const files = scope.stats.isDirectory()
      ? walk(ctx.guard, scope.relative, 64)
      : (async function* () {
          yield { relative: scope.relative, absolute: scope.absolute, isDirectory: false };
        })();
    for await (const entry of files) {
      if (entry.isDirectory) continue;
      if (timedOut || matches.length > MAX_MATCHES || Date.now() > deadline) break;
      const text = await readCandidate(ctx.guard, entry.relative);
      if (text === null) {
        skipped++;
        continue;
      }
      batch.push({ path: entry.relative, text });
      batchBytes += text.length;
      if (batchBytes >= BATCH_BYTES) await flush();
    }
    if (!timedOut) await flush();
  } finally {
    await worker.stop();
  }
  if (Date.now() > deadline) timedOut = true;

  const shown = matches.slice(0, MAX_MATCHES);
  const lines = shown.map(([path, line, text]) => `${path}:${line}: ${text}`);
  if (matches.length > MAX_MATCHES) lines.push(`[… more than ${MAX_MATCHES} matches; narrow the search with path or a more specific pattern]`);
  if (timedOut) lines.push(`[… search stopped after ${budgetMs / 1000} s: results are partial; narrow path or simplify the pattern]`);
  if (shown.length === 0 && !timedOut) lines.push("No matches.");
  return { content: lines.join("\n"), data: { matches: shown.length, skippedFiles: skipped, timedOut } };
}
