import { parseArgs } from "node:util";
import { AppError } from "../../app/contract";
import { isLoadable, Library } from "../downloads";
import { defaultDataDir } from "../paths";
import type { Db } from "../storage/database";
import { withDataFolder } from "./data-folder";
import { formatBytes } from "./format";

interface LibraryRow {
  id: string;
  repo: string | null;
  quant: string | null;
  primary_path: string;
  total_bytes: number;
  file_count: number;
  verified: number;
}

function withLibrary<T>(argv: string[], work: (db: Db, positionals: string[]) => Promise<T>): Promise<T> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { "data-dir": { type: "string" } } });
  return withDataFolder(values["data-dir"] ?? defaultDataDir(), (db) => work(db, positionals));
}

const rows = (db: Db) => db.prepare("SELECT * FROM library_models ORDER BY repo, quant").all() as LibraryRow[];

/** `m2d models`: the library, with each model's state. */
export function modelsCommand(argv: string[]): Promise<void> {
  return withLibrary(argv, async (db) => {
    const models = rows(db);
    if (models.length === 0) return console.log("The library is empty. Add a model with `m2d pull hf:owner/repo:QUANT`.");
    for (const m of models) {
      const state = isLoadable(db, m.primary_path) ? "ready" : m.verified ? "changed on disk" : "incomplete";
      console.log(`${(m.repo ?? "local").padEnd(40)} ${(m.quant ?? "").padEnd(12)} ${formatBytes(m.total_bytes).padStart(9)}  ${m.file_count} file(s)  ${state}\n  ${m.primary_path}`);
    }
  });
}

/** `m2d rm <repo[:QUANT] | path>`: deletes a library model's files and says how much space that freed. */
export function rmCommand(argv: string[]): Promise<void> {
  return withLibrary(argv, async (db, positionals) => {
    const target = positionals[0];
    if (!target) throw new AppError("bad_request", "Usage: m2d rm <owner/repo[:QUANT] | path to the model's first file>");
    const [repo, quant] = target.replace(/^hf:/, "").split(":");
    const matches = rows(db).filter((m) => m.primary_path === target || (m.repo === repo && (quant === undefined || m.quant === quant)));
    if (matches.length === 0) throw new AppError("not_found", `No library model matches ${target}.`);
    if (matches.length > 1) throw new AppError("bad_request", `${target} matches ${matches.length} models; add :QUANT.`);
    const model = matches[0]!;
    const { freedBytes, deletedFiles } = (await new Library(db).remove(model.id)) ?? { freedBytes: 0, deletedFiles: false };
    const name = `${model.repo ?? model.primary_path}${model.quant ? `:${model.quant}` : ""}`;
    // A model imported by reference keeps its files: they are the user's, not the library's.
    console.log(deletedFiles ? `Removed ${name}: freed ${formatBytes(freedBytes)}.` : `Removed ${name} from the library; its files were left in place.`);
  });
}
