/**
 * A downloader in its own process, so a test can SIGKILL it mid-transfer. Bundled by the test
 * with esbuild and forked; config comes as JSON in argv[2], progress goes back over IPC.
 */
import { openDatabase } from "../../storage/database";
import { Downloader } from "../downloader";
import { HubClient } from "../hub-client";
import type { DownloadSettings } from "../settings";
import { TEST_MIGRATIONS } from "./migrations";

export interface ChildConfig {
  dbPath: string;
  endpoint: string;
  destDir: string;
  settings: Partial<DownloadSettings>;
  /** Start this ref; without it, resume whatever was interrupted. */
  ref?: string;
}

export type ChildMessage =
  | { type: "started"; id: string }
  | { type: "progress"; bytesDone: number }
  | { type: "settled"; state: string; error: unknown };

const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
  const db = openDatabase({ path: config.dbPath, migrations: TEST_MIGRATIONS });
  const downloader = new Downloader({ db, hub: new HubClient({ endpoint: config.endpoint }), settings: config.settings });
  downloader.on("progress", (p) => send({ type: "progress", bytesDone: p.bytesDone }));
  const id = config.ref
    ? (await downloader.start({ ref: config.ref, destDir: config.destDir })).id
    : (await downloader.resumeInterrupted())[0]?.id;
  if (!id) throw new Error("nothing to resume");
  send({ type: "started", id });
  const info = await downloader.wait(id);
  send({ type: "settled", state: info.state, error: info.error });
  await downloader.close();
  db.close();
  process.disconnect?.();
}

main().catch((error: unknown) => {
  send({ type: "settled", state: "crashed", error: String(error) });
  process.exitCode = 1;
});
