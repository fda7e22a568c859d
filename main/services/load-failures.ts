import { resolve } from "node:path";
import { z } from "zod";
import { AppError, LoadFailureSchema, type LoadFailure } from "../../app/contract";
import { engineCrashDetails } from "../../app/contract/engine-faults";
import type { Db } from "../storage/database";
import { readSetting, writeSetting } from "../storage/settings-table";

const KEY = "model.loadFailures";
/** Oldest entries go past this many. */
const MAX_ENTRIES = 50;
const Stored = z.array(LoadFailureSchema);

/** The reason a crashed load gives: llama.cpp's assert or error line from the engine's stderr, else the crash message. */
export function crashReason(error: AppError): string {
  const lines = engineCrashDetails(error)?.stderr ?? [];
  const telling = lines.findLast((line) => /GGML_ASSERT|error|abort|exception|failed|fatal/i.test(line)) ?? lines.at(-1);
  return (telling?.trim() || error.message).slice(0, 1_000);
}

/** GGUFs whose load took the engine down, kept in the settings table across restarts until they load. */
export class LoadFailures {
  constructor(private readonly db: Db) {}

  list(): LoadFailure[] {
    const parsed = Stored.safeParse(readSetting(this.db, KEY));
    return parsed.success ? parsed.data : [];
  }

  /** Records `error` for `path` when it is a crash (engine_crashed); other load errors are the load's own answer. */
  record(path: string, error: unknown): void {
    const appError = AppError.from(error);
    if (appError.code !== "engine_crashed") return;
    const failure = { path: resolve(path), reason: crashReason(appError), at: Date.now() };
    writeSetting(this.db, KEY, [failure, ...this.list().filter((f) => f.path !== failure.path)].slice(0, MAX_ENTRIES));
  }

  clear(path: string): void {
    const kept = this.list().filter((f) => f.path !== resolve(path));
    if (kept.length !== this.list().length) writeSetting(this.db, KEY, kept);
  }
}
