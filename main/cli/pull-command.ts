import { join } from "node:path";
import { AppError } from "../../app/contract";
import { dataFolderOwnerName } from "../../app/contract";
import type { DownloadError } from "../../app/contract/downloads-api";
import { Downloader, createHubClient, formatModelRef, parseModelRef, readHubSettings, type DownloadInfo } from "../downloads";
import { defaultDataDir } from "../paths";
import type { Db } from "../storage/database";
import { defineCommand, parseCommandArgs, usageLine } from "./command-spec";
import { withDataFolder, withDataFolderOrHost } from "./data-folder";
import { pullThroughHost } from "./host-pull";
import { formatBytes } from "./format";

function bar(info: Pick<DownloadInfo, "bytesDone" | "totalBytes" | "speedBps" | "etaSeconds">): string {
  const width = 30;
  const fraction = info.totalBytes > 0 ? info.bytesDone / info.totalBytes : 0;
  const filled = Math.round(fraction * width);
  const eta = info.etaSeconds === null ? "" : ` · ETA ${Math.ceil(info.etaSeconds)} s`;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${formatBytes(info.bytesDone)} / ${formatBytes(info.totalBytes)} · ${formatBytes(info.speedBps)}/s${eta}`;
}

function reportSettled(final: { state: string; primaryPath: string; error: Pick<DownloadError, "message"> | null }): void {
  process.stderr.write("\n");
  if (final.state === "completed") console.log(`Verified and added to the library: ${final.primaryPath}`);
  else {
    console.error(`Download ${final.state}${final.error ? `: ${final.error.message}` : ""}. Run the same command to resume.`);
    process.exitCode = 1;
  }
}

export const pullSpec = defineCommand({
  name: "pull",
  summary: "download, verify and add a model to the library (run again to resume)",
  positionals: "<hf:owner/repo[:QUANT] | Hub URL | https URL>",
  details: "When the app or m2d serve runs on the data folder, it downloads and this command follows its progress.",
  options: {
    dir: { type: "string", value: "DIR", help: "download into DIR instead of the data folder's models/ (not through a running app)" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder whose library gets the model (default: the app's, or $M2D_DATA_DIR)" },
  },
});

/** `m2d pull hf:owner/repo[:QUANT]`: download, verify and add to the library; the same command resumes. */
export async function pullCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(pullSpec, argv);
  const input = positionals[0];
  if (!input || positionals.length > 1) throw new AppError("bad_request", `Usage: ${usageLine(pullSpec)}`);
  const dataDir = values["data-dir"] ?? defaultDataDir();
  const local = async (db: Db) => {
    const hub = createHubClient(readHubSettings(db));
    const downloader = new Downloader({ db, hub });
    const ref = parseModelRef(input, hub.endpoint);
    const label = formatModelRef(ref);
    try {
      // The same command resumes: an unfinished download of this ref picks up where it stopped.
      const unfinished = downloader.list().find((d) => formatModelRef(d.ref) === label && d.state !== "completed" && d.state !== "cancelled");
      const info = unfinished ? await downloader.resume(unfinished.id) : await downloader.start({ ref, destDir: values.dir ?? join(dataDir, "models") });
      console.error(`${unfinished ? "Resuming" : "Downloading"} ${label} → ${info.primaryPath}`);
      const off = downloader.on("progress", (p) => {
        if (p.id === info.id && process.stderr.isTTY) process.stderr.write(`\r${bar(p)}`);
      });
      process.once("SIGINT", () => void downloader.pause(info.id));
      const final = await downloader.wait(info.id);
      off();
      reportSettled(final);
    } finally {
      await downloader.close();
    }
  };
  // When a running host owns the folder, it downloads and this follows. Not with --dir: the host has its own models folder.
  if (values.dir !== undefined) return withDataFolder(dataDir, local);
  await withDataFolderOrHost(dataDir, {
    local,
    host: async (host, owner) => {
      const final = await pullThroughHost(host, owner, input, {
        started: (view, resumed) => console.error(`${resumed ? "Resuming" : "Downloading"} ${view.ref} → ${view.primaryPath} in ${dataFolderOwnerName(owner)} (pid ${owner.pid})`),
        progress: (view) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${bar(view)}`);
        },
      });
      reportSettled(final);
    },
  });
}
