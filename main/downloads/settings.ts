import { resolve } from "node:path";
import { z } from "zod";
import type { Db } from "../storage/database";
import { readSetting } from "../storage/settings-table";

export const DownloadSettingsSchema = z.object({
  connectionsPerFile: z.number().int().min(1).max(32),
  parallelFiles: z.number().int().min(1).max(16),
  /** Bytes per second across all connections; 0 = unlimited. */
  bandwidthLimitBps: z.number().min(0),
  /** Range size a connection claims at a time; also the most a crash can make us re-fetch per connection. */
  chunkBytes: z.number().int().min(64 * 1024),
  /** Consecutive failures without progress before a file fails. */
  maxRetries: z.number().int().min(0),
  retryBaseMs: z.number().min(0),
  retryMaxMs: z.number().min(0),
  idleTimeoutMs: z.number().min(100),
  /** How often written bytes are recorded in SQLite (what a crash of the app can resume from). */
  flushIntervalMs: z.number().min(10),
  /** How often the partial is fdatasync'ed and that recorded (what a reboot can resume from). */
  syncIntervalMs: z.number().min(10),
  progressIntervalMs: z.number().min(10),
  /** How often free space is checked while downloading; 0 = only before starting. */
  diskCheckIntervalMs: z.number().min(0),
  /** Space left free on the disk beyond what the download needs. */
  diskReserveBytes: z.number().min(0),
});
export type DownloadSettings = z.infer<typeof DownloadSettingsSchema>;

export const DEFAULT_DOWNLOAD_SETTINGS: DownloadSettings = {
  connectionsPerFile: 4,
  parallelFiles: 2,
  bandwidthLimitBps: 0,
  chunkBytes: 32 * 1024 * 1024,
  maxRetries: 8,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  idleTimeoutMs: 30_000,
  flushIntervalMs: 500,
  syncIntervalMs: 10_000,
  progressIntervalMs: 500,
  diskCheckIntervalMs: 2_000,
  diskReserveBytes: 256 * 1024 * 1024,
};

export const HubSettingsSchema = z.object({
  endpoint: z.string().url().optional(),
  token: z.string().min(1).optional(),
});
export type HubSettings = z.infer<typeof HubSettingsSchema>;

/** Settings rows are JSON: key "downloads" holds a partial DownloadSettings, key "hub" the endpoint and token. */
export function readDownloadSettings(db: Db): DownloadSettings {
  const stored = readSetting(db, "downloads");
  const parsed = DownloadSettingsSchema.partial().safeParse(stored ?? {});
  return { ...DEFAULT_DOWNLOAD_SETTINGS, ...(parsed.success ? parsed.data : {}) };
}

export function readHubSettings(db: Db): HubSettings {
  const parsed = HubSettingsSchema.safeParse(readSetting(db, "hub") ?? {});
  return parsed.success ? parsed.data : {};
}

const LibrarySettingsSchema = z.object({ modelsDir: z.string().min(1), scanDirs: z.array(z.string().min(1)).max(32) }).partial();

/**
 * Key "library": `modelsDir`, where downloads and copies go (default `<data dir>/models`, so $M2D_DATA_DIR
 * isolates it), and `scanDirs`, other folders a scan looks in (LM Studio's or llama.cpp's caches).
 */
export function readLibrarySettings(db: Db, dataDir: string): { modelsDir: string; scanDirs: string[] } {
  const parsed = LibrarySettingsSchema.safeParse(readSetting(db, "library") ?? {});
  const value = parsed.success ? parsed.data : {};
  return { modelsDir: resolve(dataDir, value.modelsDir ?? "models"), scanDirs: (value.scanDirs ?? []).map((d) => resolve(d)) };
}
