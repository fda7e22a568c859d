import { z } from "zod";
import { detailsReader } from "./error-details";

/** Which program holds a data folder. */
export const DataFolderOwnerKindSchema = z.enum(["electron", "serve", "cli"]);
export type DataFolderOwnerKind = z.infer<typeof DataFolderOwnerKindSchema>;

/**
 * The data folder's lock file (`m2d.lock`): who holds the folder, how to tell a live holder from a dead one whose
 * pid was reused (the boot and the process's start time), and, for a running host, how to reach it.
 * It is also `details` of a `data_dir_in_use` error.
 */
export const DataFolderOwnerSchema = z.object({
  pid: z.number().int().positive(),
  kind: DataFolderOwnerKindSchema,
  hostname: z.string(),
  /** ISO time the lock was taken. */
  startedAt: z.string(),
  /** Linux: /proc/sys/kernel/random/boot_id and field 22 of /proc/<pid>/stat; null elsewhere. */
  bootId: z.string().nullable(),
  processStart: z.string().nullable(),
  /** Unique per acquisition, so a release or a takeover only ever removes the lock it read. */
  nonce: z.string(),
  /** A running host's UI URL (without the token) and the 0600 file holding its launch token. */
  host: z.object({ url: z.string(), tokenFile: z.string() }).optional(),
});
export type DataFolderOwner = z.infer<typeof DataFolderOwnerSchema>;

/** The owner named by a `data_dir_in_use` error, or undefined for any other error. */
export const dataFolderOwnerOf = detailsReader(DataFolderOwnerSchema, "data_dir_in_use");

const OWNER_NAMES: Readonly<Record<DataFolderOwnerKind, string>> = {
  electron: "M2 Desktop",
  serve: "M2 Desktop (m2d serve)",
  cli: "An m2d command",
};

/** "M2 Desktop", "M2 Desktop (m2d serve)" or "An m2d command". */
export function dataFolderOwnerName(owner: Pick<DataFolderOwner, "kind">): string {
  return OWNER_NAMES[owner.kind];
}

/** The sentence a second program shows: who holds the folder, since when, and what to do. */
export function dataFolderInUseMessage(owner: DataFolderOwner): string {
  const where = owner.host ? `, at ${owner.host.url}` : "";
  return `${dataFolderOwnerName(owner)} is already running on this data folder (pid ${owner.pid}, started ${owner.startedAt}${where}); close it or use --data-dir.`;
}
