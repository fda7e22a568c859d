import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import { AppError } from "../../app/contract";
import { isLoadable } from "../downloads";
import { databasePath } from "../paths";
import type { Db } from "../storage/database";

/** A library model as the CLI prints and names it, read from the database here or from a running host. */
export interface LibraryEntry {
  id: string;
  repo: string | null;
  quant: string | null;
  path: string;
  totalBytes: number;
  files: number;
  state: string;
}

interface LibraryRow {
  id: string;
  repo: string | null;
  quant: string | null;
  primary_path: string;
  total_bytes: number;
  file_count: number;
  verified: number;
}

/** The library's models with their state, from a database this process reads (read-only is enough). */
export function libraryEntries(db: Db): LibraryEntry[] {
  return (db.prepare("SELECT * FROM library_models ORDER BY repo, quant").all() as LibraryRow[]).map((m) => ({
    id: m.id, repo: m.repo, quant: m.quant, path: m.primary_path, totalBytes: m.total_bytes, files: m.file_count,
    state: isLoadable(db, m.primary_path) ? "ready" : m.verified ? "changed on disk" : "incomplete",
  }));
}

/** The name a user types for an entry: `owner/repo:QUANT`, or its path for a model imported from a file. */
export function libraryName(entry: Pick<LibraryEntry, "repo" | "quant" | "path">): string {
  return entry.repo ? `${entry.repo}${entry.quant ? `:${entry.quant}` : ""}` : entry.path;
}

/** `owner/repo`, `owner/repo:QUANT` or the same with `hf:`: what a library name looks like. */
const NAME = /^(?:hf:)?([^/:\s]+\/[^/:\s]+?)(?::([^/:\s]+))?$/i;

/** The entries `target` names: its path, its repo (all its quants) or repo and quant (quant case-insensitive). */
export function matchLibrary(entries: readonly LibraryEntry[], target: string): LibraryEntry[] {
  const name = NAME.exec(target.trim());
  return entries.filter((m) => {
    if (m.path === target) return true;
    if (!name || m.repo === null || m.repo.toLowerCase() !== name[1]!.toLowerCase()) return false;
    return name[2] === undefined || m.quant?.toLowerCase() === name[2].toLowerCase();
  });
}

function readLibrary(dataDir: string): LibraryEntry[] {
  const path = databasePath(dataDir);
  if (!existsSync(path)) return [];
  let db: Db | undefined;
  try {
    // Read-only and without the folder's lock: the app or a host may be running on this folder.
    db = new Database(path, { readonly: true, fileMustExist: true });
    return libraryEntries(db);
  } catch (error) {
    throw new AppError("storage", `Could not read the model library in ${dataDir}: ${AppError.from(error).message}`);
  } finally {
    db?.close();
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * What a command's model argument means: a GGUF file that exists is that file; `owner/repo[:QUANT]` (or `hf:…`)
 * is the library model of that name in `dataDir`, resolved to its first file. A name that matches nothing is a
 * typed error that lists the library's names; anything else is passed on as a path for the engine to check.
 */
export function resolveModelArg(arg: string, dataDir: string): string {
  if (isFile(arg) || !NAME.test(arg.trim()) || /\.gguf$/i.test(arg)) return arg;
  const entries = readLibrary(dataDir);
  const matches = matchLibrary(entries, arg);
  const known = entries.map(libraryName);
  if (matches.length === 0) {
    const listing = known.length > 0 ? `The library has: ${known.join(", ")}.` : "The library is empty (add a model with `m2d pull hf:owner/repo:QUANT`).";
    throw new AppError("not_found", `No file and no library model named ${arg} (library in ${dataDir}). ${listing}`, { model: arg, known });
  }
  if (matches.length > 1) {
    throw new AppError("bad_request", `${arg} matches ${matches.length} library models: ${matches.map(libraryName).join(", ")}. Add :QUANT.`, { model: arg, known });
  }
  const model = matches[0]!;
  if (model.state !== "ready") {
    throw new AppError("bad_request", `${libraryName(model)} is in the library but ${model.state}: run \`m2d pull hf:${libraryName(model)}\` to finish or repair it.`, { model: arg });
  }
  return model.path;
}
