import { z } from "zod";
import { familyFromName, type ModelFamilyId } from "../../app/family";
import catalogJson from "../../resources/catalog.json";
import type { Db } from "../storage/database";
import { groupQuants, type GroupLayout } from "./gguf-parts";
import type { HubFileCache } from "./hub-cache";
import type { HubClient } from "./hub-client";
import { listRepoFiles } from "./plan";
import { readSetting, writeSetting } from "../storage/settings-table";

const CatalogSchema = z.object({
  version: z.literal(1),
  repos: z.array(
    z.object({
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
      publisher: z.string(),
      description: z.string(),
      recommended: z.string(),
      quants: z.array(z.string()).min(1),
    }),
  ),
});
export type Catalog = z.infer<typeof CatalogSchema>;

export function loadCatalog(data: unknown = catalogJson): Catalog {
  return CatalogSchema.parse(data);
}

export interface CatalogQuant {
  quant: string;
  /** Listed in resources/catalog.json (as opposed to only seen on the Hub). */
  known: boolean;
  /** From the last Hub listing; absent until the repo was looked up once. */
  files?: Array<{ path: string; size: number; sha256: string | null }>;
  layout?: GroupLayout;
  totalBytes?: number;
  ref: string;
}

export interface CatalogRepo {
  repo: string;
  publisher: string;
  description: string;
  /** The model the repo holds, from its name (app/family); "unknown" for a repo named otherwise. */
  family: ModelFamilyId;
  familyName: string;
  recommended: string;
  /** When the Hub was last asked; null if never (sizes unknown). */
  fetchedAt: number | null;
  quants: CatalogQuant[];
}

/** The catalog merged with cached Hub listings: works offline once each repo was looked up. */
export function catalogView(cache: HubFileCache, catalog: Catalog = loadCatalog(), revision = "main"): CatalogRepo[] {
  return catalog.repos.map((entry) => {
    const cached = cache.get(entry.repo, revision);
    const groups = cached ? groupQuants(cached.files).filter((g) => g.complete && g.quant) : [];
    const byQuant = new Map(groups.map((g) => [g.quant ?? "", g]));
    const names = [...entry.quants, ...groups.map((g) => g.quant ?? "").filter((q) => q && !entry.quants.includes(q))];
    const quants = names.map((quant): CatalogQuant => {
      const group = byQuant.get(quant.toUpperCase());
      const base = { quant, known: entry.quants.includes(quant), ref: `hf:${entry.repo}:${quant}` };
      if (!group) return base;
      return { ...base, files: group.files, layout: group.layout, totalBytes: group.totalBytes };
    });
    const family = familyFromName(entry.repo);
    return {
      repo: entry.repo,
      publisher: entry.publisher,
      description: entry.description,
      family: family?.id ?? "unknown",
      familyName: family?.displayName ?? "Unknown model",
      recommended: entry.recommended,
      fetchedAt: cached?.fetchedAt ?? null,
      quants,
    };
  });
}

/** Looks every catalog repo up on the Hub (caching the listings); per-repo errors are returned, not thrown. */
export async function refreshCatalog(
  hub: HubClient,
  cache: HubFileCache,
  catalog: Catalog = loadCatalog(),
): Promise<Array<{ repo: string; ok: boolean; error?: unknown }>> {
  return Promise.all(
    catalog.repos.map(async ({ repo }) => {
      try {
        await lookUpRepo(hub, cache, repo);
        return { repo, ok: true };
      } catch (error) {
        return { repo, ok: false, error };
      }
    }),
  );
}

/**
 * Lists a repo's files into the cache, and its gating: the catalog then shows sizes, fit and "gated" before
 * any click. A gating the Hub does not say (an older mirror) leaves the last one known.
 */
export async function lookUpRepo(hub: HubClient, cache: HubFileCache, repo: string, revision = "main"): Promise<void> {
  await listRepoFiles(hub, cache, repo, revision);
  const gating = await hub.gating(repo).catch(() => undefined);
  if (gating !== undefined) cache.setGating(repo, gating);
}

/** Repos the user added with hf:owner/repo[:QUANT] or a Hub URL: kept in the settings table, key "catalog.added". */
const AddedSchema = z.array(
  z.union([
    z.object({ repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/), quant: z.string().optional() }),
    z.object({ url: z.string().url(), fileName: z.string().min(1) }),
  ]),
);
export type AddedEntry = z.infer<typeof AddedSchema>[number];
export type AddedRepo = Extract<AddedEntry, { repo: string }>;
const ADDED_KEY = "catalog.added";

export function readAddedEntries(db: Db): AddedEntry[] {
  const parsed = AddedSchema.safeParse(readSetting(db, ADDED_KEY) ?? []);
  return parsed.success ? parsed.data : [];
}

export function writeAddedEntries(db: Db, repos: readonly AddedEntry[]): void {
  writeSetting(db, ADDED_KEY, repos);
}

/** The shipped catalog plus the user's repos (a shipped repo is never listed twice). */
export function catalogWithAdded(added: readonly AddedEntry[], catalog: Catalog = loadCatalog()): Catalog {
  const shipped = new Set(catalog.repos.map((r) => r.repo.toLowerCase()));
  const extra = added
    .filter((a): a is AddedRepo => "repo" in a && !shipped.has(a.repo.toLowerCase()))
    .map((a) => ({ repo: a.repo, publisher: a.repo.split("/")[0] ?? a.repo, description: "Added by you.", recommended: a.quant ?? "", quants: a.quant ? [a.quant] : [] }));
  return { ...catalog, repos: [...catalog.repos, ...extra] };
}
