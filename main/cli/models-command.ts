import { AppError } from "../../app/contract";
import { downloadsMethods } from "../../app/contract/downloads-api";
import { Library } from "../downloads";
import { defaultDataDir } from "../paths";
import type { Db } from "../storage/database";
import { defineCommand, parseCommandArgs, usageLine, type CommandSpec } from "./command-spec";
import { withDataFolderOrHost } from "./data-folder";
import { formatBytes } from "./format";
import type { HostConnection } from "./host-client";
import { libraryEntries, libraryName, matchLibrary, type LibraryEntry } from "./library-names";

interface LibraryAccess {
  list(): Promise<LibraryEntry[]>;
  remove(id: string): Promise<{ freedBytes: number; deletedFiles: boolean }>;
}

function localLibrary(db: Db): LibraryAccess {
  return {
    list: async () => libraryEntries(db),
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

const libraryOptions = {
  "data-dir": { type: "string", value: "DIR", help: "the data folder whose library this is (default: the app's, or $M2D_DATA_DIR)" },
} as const;

export const modelsSpec = defineCommand({
  name: "models",
  summary: "list the model library: each model's name (owner/repo:QUANT), size, files, state and path",
  positionals: "",
  options: libraryOptions,
});

export const rmSpec = defineCommand({
  name: "rm",
  summary: "delete a library model's files (a model imported by reference keeps them) and say how much that freed",
  positionals: "<owner/repo[:QUANT] | path>",
  options: libraryOptions,
});

function withLibrary<T>(spec: CommandSpec<typeof libraryOptions>, argv: string[], work: (library: LibraryAccess, positionals: string[]) => Promise<T>): Promise<T> {
  const { values, positionals } = parseCommandArgs(spec, argv);
  return withDataFolderOrHost(values["data-dir"] ?? defaultDataDir(), {
    local: (db) => work(localLibrary(db), positionals),
    host: (host) => work(hostLibrary(host), positionals),
  });
}

/** `m2d models`: the library, with each model's state. */
export function modelsCommand(argv: string[]): Promise<void> {
  return withLibrary(modelsSpec, argv, async (library) => {
    const models = await library.list();
    if (models.length === 0) return console.log("The library is empty. Add a model with `m2d pull hf:owner/repo:QUANT`.");
    for (const m of models) {
      console.log(`${(m.repo ?? "local").padEnd(40)} ${(m.quant ?? "").padEnd(12)} ${formatBytes(m.totalBytes).padStart(9)}  ${m.files} file(s)  ${m.state}\n  ${m.path}`);
    }
  });
}

/** `m2d rm <repo[:QUANT] | path>`: deletes a library model's files and says how much space that freed. */
export function rmCommand(argv: string[]): Promise<void> {
  return withLibrary(rmSpec, argv, async (library, positionals) => {
    const target = positionals[0];
    if (!target) throw new AppError("bad_request", `Usage: ${usageLine(rmSpec)}`);
    const matches = matchLibrary(await library.list(), target);
    if (matches.length === 0) throw new AppError("not_found", `No library model matches ${target}.`);
    if (matches.length > 1) throw new AppError("bad_request", `${target} matches ${matches.length} models; add :QUANT.`);
    const model = matches[0]!;
    const { freedBytes, deletedFiles } = await library.remove(model.id);
    const name = libraryName(model);
    // A model imported by reference keeps its files: they are the user's, not the library's.
    console.log(deletedFiles ? `Removed ${name}: freed ${formatBytes(freedBytes)}.` : `Removed ${name} from the library; its files were left in place.`);
  });
}
