import { z } from "zod";
import type { Db } from "../storage/database";
import { readSetting, writeSetting } from "../storage/settings-table";
import type { RemoteFile } from "./gguf-parts";
import type { HubGating } from "./hub-client";

/** Each looked-up repo's gating, kept in the settings table (the catalog flags a gated repo before any click). */
const GATING_KEY = "hub.gating";
const GatingSchema = z.record(z.string(), z.enum(["auto", "manual"]).nullable());

/** The last Hub listing of each repo, so the catalog works offline after one look-up. */
export class HubFileCache {
  constructor(private readonly db: Db) {}

  replace(repo: string, revision: string, files: readonly RemoteFile[], oids: ReadonlyMap<string, string> = new Map()): void {
    const now = Date.now();
    const insert = this.db.prepare(
      "INSERT INTO hub_files (repo, revision, path, size, sha256, oid, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM hub_files WHERE repo = ? AND revision = ?").run(repo, revision);
      for (const f of files) insert.run(repo, revision, f.path, f.size, f.sha256, oids.get(f.path) ?? null, now);
    })();
  }

  /** null when the repo was never listed (as opposed to listed and empty). */
  get(repo: string, revision: string): { files: RemoteFile[]; fetchedAt: number } | null {
    const rows = this.db
      .prepare("SELECT path, size, sha256, fetched_at FROM hub_files WHERE repo = ? AND revision = ? ORDER BY path")
      .all(repo, revision) as Array<{ path: string; size: number; sha256: string | null; fetched_at: number }>;
    const first = rows[0];
    if (!first) return null;
    return { files: rows.map((r) => ({ path: r.path, size: r.size, sha256: r.sha256 })), fetchedAt: first.fetched_at };
  }

  setGating(repo: string, gating: HubGating): void {
    writeSetting(this.db, GATING_KEY, { ...this.allGating(), [repo.toLowerCase()]: gating });
  }

  /** undefined when never looked up. */
  gating(repo: string): HubGating | undefined {
    return this.allGating()[repo.toLowerCase()];
  }

  private allGating(): Record<string, HubGating> {
    const parsed = GatingSchema.safeParse(readSetting(this.db, GATING_KEY) ?? {});
    return parsed.success ? parsed.data : {};
  }
}
