import { z } from "zod";
import { AppErrorDataSchema, type AppErrorData } from "./errors";
import { DownloadFailureDetailsSchema } from "./download-failure";
import { ModelInvalidDetailsSchema, ModelProblemSchema } from "./model-invalid";
import { StorageFailureDetailsSchema } from "./storage-failure";
import { MODEL_FAMILY_IDS } from "../family/protocol";

/** The download manager's part of the contract: catalog, downloads, library. */

const Id = z.string().min(1).max(64);
const Path = z.string().min(1).max(4096);
const Bytes = z.number().nonnegative();

/** `hf:owner/repo[:QUANT]`, a Hub URL, or a plain https URL; parsed and checked by the backend. */
export const ModelRefInputSchema = z.string().trim().min(3).max(2048);

/** Where a model can run on this machine, best first. */
export const FitVerdictSchema = z.enum(["gpu", "expert_offload", "ram", "no_fit", "unknown"]);
export type FitVerdict = z.infer<typeof FitVerdictSchema>;

export const FitSchema = z.object({
  verdict: FitVerdictSchema,
  /** One line on why (the planner's explanation or refusal). */
  detail: z.string(),
});
export type Fit = z.infer<typeof FitSchema>;

export const CatalogQuantSchema = z.object({
  quant: z.string(),
  /** What downloads.start takes. */
  ref: z.string(),
  /** Listed in the shipped catalog (rather than only seen on the Hub). */
  known: z.boolean(),
  /** Null until the repo was looked up on the Hub once. */
  totalBytes: Bytes.nullable(),
  parts: z.number().int().nonnegative(),
  fit: FitSchema,
  recommended: z.boolean(),
});
export type CatalogQuantView = z.infer<typeof CatalogQuantSchema>;

export const CatalogEntrySchema = z.object({
  /** owner/repo, or the URL of a plain-URL entry. */
  repo: z.string(),
  publisher: z.string(),
  description: z.string(),
  /** Added by the user with catalog.add (removable), not shipped. */
  added: z.boolean(),
  /** Which model the repo holds (app/family, from its name): "minimax-m2.7", …, or "unknown". */
  family: z.enum(MODEL_FAMILY_IDS),
  /** The family for people: "MiniMax-M2.7". */
  familyName: z.string(),
  fetchedAt: z.number().nullable(),
  /** The repo needs its license accepted on the Hub (and a token): "auto" or "manual" approval; null when open or not known. */
  gated: z.enum(["auto", "manual"]).nullable(),
  /** Its page on the Hub (where the license is accepted); null for a plain URL. */
  repoPage: z.string().url().nullable(),
  quants: z.array(CatalogQuantSchema),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

/**
 * Why a download is paused or failed: one of the downloader's own reasons (gated, disk_full, hash_mismatch,
 * offline, …), a model file the validator refused, SQLite failing under it, or no details (an internal error).
 */
export const DownloadErrorSchema = AppErrorDataSchema.extend({
  details: z.union([DownloadFailureDetailsSchema, ModelInvalidDetailsSchema, StorageFailureDetailsSchema]).optional(),
});
export type DownloadError = z.infer<typeof DownloadErrorSchema>;

/** The error as a download carries it: details the schema does not know are dropped, so one odd error never makes the list unreadable. */
export function asDownloadError(error: AppErrorData): DownloadError {
  const parsed = DownloadErrorSchema.safeParse(error);
  return parsed.success ? parsed.data : { code: error.code, message: error.message };
}

export const DownloadStateSchema = z.enum(["queued", "running", "paused", "completed", "failed", "cancelled"]);
export type DownloadStateName = z.infer<typeof DownloadStateSchema>;

export const DownloadViewSchema = z.object({
  id: Id,
  /** The ref as the user would type it. */
  ref: z.string(),
  repo: z.string().nullable(),
  quant: z.string().nullable(),
  primaryPath: z.string(),
  state: DownloadStateSchema,
  error: DownloadErrorSchema.nullable(),
  totalBytes: Bytes,
  bytesDone: Bytes,
  speedBps: Bytes,
  etaSeconds: z.number().nonnegative().nullable(),
  files: z.array(z.object({ path: z.string(), size: Bytes, bytesDone: Bytes, verified: z.boolean() })),
});
export type DownloadView = z.infer<typeof DownloadViewSchema>;

export const LibraryModelSchema = z.object({
  id: Id,
  repo: z.string().nullable(),
  /** The quant the library names it by (`owner/repo:QUANT`), from its file or folder name. */
  quant: z.string().nullable(),
  /** The quantization its own header declares (general.file_type), what the UI shows; null when unreadable. */
  fileQuant: z.string().nullable(),
  /** The file to load (the first part of a split model). */
  path: z.string(),
  totalBytes: Bytes,
  parts: z.number().int().nonnegative(),
  /** Complete, hash-verified and unchanged on disk: the only state that may load. */
  ready: z.boolean(),
  /** "ready", or why not: incomplete, changed on disk, missing. */
  /** "unsynced": finished, but the machine restarted before its bytes were all on disk. */
  /** "invalid": verified, but its header fails the validator (see `invalid`). */
  status: z.enum(["ready", "incomplete", "changed", "unsynced", "missing", "invalid"]),
  architecture: z.string().nullable(),
  /** Which model it is (app/family, from its header and name): "minimax-m2.5", …, "unknown"; null when the header is unreadable. */
  family: z.enum(MODEL_FAMILY_IDS).nullable(),
  familyName: z.string().nullable(),
  contextLength: z.number().int().nullable(),
  expertCount: z.number().int().nullable(),
  expertUsedCount: z.number().int().nullable(),
  fit: FitSchema,
  lastUsedAt: z.number().nullable(),
  /** Imported by reference: the files stay where the user keeps them, delete only forgets them. */
  external: z.boolean(),
  /** Why its header no longer validates (added before the validator knew that fault): it cannot load. */
  invalid: ModelProblemSchema.optional(),
});
export type LibraryModel = z.infer<typeof LibraryModelSchema>;

const Empty = z.object({});
const DownloadRef = z.object({ id: Id }).strict();

/** What the Models page's settings show. The token itself never leaves the backend. */
export const DownloadSettingsViewSchema = z.object({
  hub: z.object({
    /** The stored endpoint; null: $HF_ENDPOINT or the Hub. */
    endpoint: z.string().nullable(),
    /** What requests use now. */
    effectiveEndpoint: z.string(),
    hasToken: z.boolean(),
  }),
  library: z.object({ modelsDir: z.string(), scanDirs: z.array(z.string()) }),
  downloads: z.object({
    connectionsPerFile: z.number().int(),
    parallelFiles: z.number().int(),
    /** 0: unlimited. */
    bandwidthLimitBps: Bytes,
  }),
});
export type DownloadSettingsView = z.infer<typeof DownloadSettingsViewSchema>;

export const DownloadSettingsPatchSchema = z
  .object({
    hub: z
      .object({
        endpoint: z.string().url().max(2048).nullable(),
        /** null clears it. */
        token: z.string().min(1).max(4096).nullable(),
      })
      .partial()
      .strict(),
    library: z.object({ modelsDir: Path, scanDirs: z.array(Path).max(32) }).partial().strict(),
    downloads: z
      .object({
        connectionsPerFile: z.number().int().min(1).max(32),
        parallelFiles: z.number().int().min(1).max(16),
        bandwidthLimitBps: z.number().min(0).max(1e12),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type DownloadSettingsPatch = z.infer<typeof DownloadSettingsPatchSchema>;

export const downloadsMethods = {
  "catalog.list": { params: z.object({}).strict(), result: z.object({ entries: z.array(CatalogEntrySchema) }) },
  /** Looks every catalog repo up on the Hub; per-repo failures come back, the rest still refresh. */
  "catalog.refresh": {
    params: z.object({}).strict(),
    result: z.object({ entries: z.array(CatalogEntrySchema), errors: z.array(z.object({ repo: z.string(), error: DownloadErrorSchema })) }),
  },
  "catalog.add": { params: z.object({ ref: ModelRefInputSchema }).strict(), result: z.object({ entry: CatalogEntrySchema }) },
  "catalog.remove": { params: z.object({ repo: z.string().min(1).max(2048) }).strict(), result: Empty },
  "downloads.list": { params: z.object({}).strict(), result: z.object({ downloads: z.array(DownloadViewSchema) }) },
  "downloads.start": { params: z.object({ ref: ModelRefInputSchema }).strict(), result: DownloadViewSchema },
  "downloads.pause": { params: DownloadRef, result: DownloadViewSchema },
  "downloads.resume": { params: DownloadRef, result: DownloadViewSchema },
  "downloads.cancel": { params: DownloadRef, result: Empty },
  /** Drops a finished, failed or cancelled download from the list (its files stay in the library). */
  "downloads.dismiss": { params: DownloadRef, result: Empty },
  "library.list": { params: z.object({}).strict(), result: z.object({ models: z.array(LibraryModelSchema) }) },
  "library.delete": { params: z.object({ id: Id }).strict(), result: z.object({ freedBytes: Bytes, deletedFiles: z.boolean() }) },
  "library.import": {
    params: z.object({ path: Path, mode: z.enum(["reference", "copy"]).default("reference") }).strict(),
    result: LibraryModelSchema,
  },
  "downloads.settings": { params: z.object({}).strict(), result: DownloadSettingsViewSchema },
  /** Applies at once: new requests use the endpoint and token, new connections the limits. */
  "downloads.updateSettings": { params: DownloadSettingsPatchSchema, result: DownloadSettingsViewSchema },
  /** Registers GGUFs put in the models folder by hand; returns how many were added. */
  "library.scan": { params: z.object({}).strict(), result: z.object({ added: z.number().int().nonnegative() }) },
} as const;

export const downloadsEventSchemas = [
  z.object({ type: z.literal("downloads.progress"), download: DownloadViewSchema }),
  z.object({ type: z.literal("library.changed") }),
] as const;
