import { parseArgs } from "node:util";
import { AppError } from "../../app/contract";
import { downloadsMethods } from "../../app/contract/downloads-api";
import { isLoadable, Library } from "../downloads";
import { defaultDataDir } from "../paths";
import type { Db } from "../storage/database";
import { withDataFolderOrHost } from "./data-folder";
import { formatBytes } from "./format";
import type { HostConnection } from "./host-client";

/** A library model as these commands print it, read from the database here or from a running host. */
interface LibraryEntry {
  id: string;
  repo: string | null;
  quant: string | null;
  path: string;
  totalBytes: number;
  files: number;
  state: string;
}

interface LibraryAccess {
  list(): Promise<LibraryEntry[]>;
  remove(id: string): Promise<{ freedBytes: number; deletedFiles: boolean }>;
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

function localLibrary(db: Db): LibraryAccess {
  return {
    list: async () =>
      (db.prepare("SELECT * FROM library_models ORDER BY repo, quant").all() as LibraryRow[]).map((m) => ({
        id: m.id, repo: m.repo, quant: m.quant, path: m.primary_path, totalBytes: m.total_bytes, files: m.file_count,
        state: isLoadable(db, m.primary_path) ? "ready" : m.verified ? "changed on disk" : "incomplete",
      })),
    remove: async (id) => (await new Library(db).remove(id)) ?? { freedBytes: 0, deletedFiles: false },
  };
}

/** The running host's library: it owns the folder, so it lists and deletes (and refuses to delete a loaded model). */
function hostLibrary(host: HostConnection): LibraryAccess {
  return {
    list: async () =>
      downloadsMethods["library.list"].result
        .parse(await host.call("library.list", {}))
        .models.map((m) => ({ id: m.id, repo: m.repo, quant: m.quant, path: m.path, totalBytes: m.totalBytes, files: m.parts, state: m.status === "changed" ? "changed on disk" : m.status }))
        .sort((a, b) => `${a.repo ?? ""} ${a.quant ?? ""}`.localeCompare(`${b.repo ?? ""} ${b.quant ?? ""}`)),
    remove: async (id) => downloadsMethods["library.delete"].result.parse(await host.call("library.delete", { id })),
  };
}

function withLibrary<T>(argv: string[], work: (library: LibraryAccess, positionals: string[]) => Promise<T>): Promise<T> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { "data-dir": { type: "string" } } });
  return withDataFolderOrHost(values["data-dir"] ?? defaultDataDir(), {
    local: (db) => work(localLibrary(db), positionals),
    host: (host) => work(hostLibrary(host), positionals),
  });
}

/** `m2d models`: the library, with each model's state. */
export function modelsCommand(argv: string[]): Promise<void> {
  return withLibrary(argv, async (library) => {
    const models = await library.list();
    if (models.length === 0) return console.log("The library is empty. Add a model with `m2d pull hf:owner/repo:QUANT`.");
    for (const m of models) {
      console.log(`${(m.repo ?? "local").padEnd(40)} ${(m.quant ?? "").padEnd(12)} ${formatBytes(m.totalBytes).padStart(9)}  ${m.files} file(s)  ${m.state}\n  ${m.path}`);
    }
  });
}

/** `m2d rm <repo[:QUANT] | path>`: deletes a library model's files and says how much space that freed. */
export function rmCommand(argv: string[]): Promise<void> {
  return withLibrary(argv, async (library, positionals) => {
    const target = positionals[0];
    if (!target) throw new AppError("bad_request", "Usage: m2d rm <owner/repo[:QUANT] | path to the model's first file>");
    const [repo, quant] = target.replace(/^hf:/, "").split(":");
    const matches = (await library.list()).filter((m) => m.path === target || (m.repo === repo && (quant === undefined || m.quant === quant)));
    if (matches.length === 0) throw new AppError("not_found", `No library model matches ${target}.`);
    if (matches.length > 1) throw new AppError("bad_request", `${target} matches ${matches.length} models; add :QUANT.`);
    const model = matches[0]!;
    const { freedBytes, deletedFiles } = await library.remove(model.id);
    const name = `${model.repo ?? model.path}${model.quant ? `:${model.quant}` : ""}`;
    // A model imported by reference keeps its files: they are the user's, not the library's.
    console.log(deletedFiles ? `Removed ${name}: freed ${formatBytes(freedBytes)}.` : `Removed ${name} from the library; its files were left in place.`);
  });
}
