import { AppError } from "../../app/contract";
import { AbortedError, downloadError, failureReason } from "./errors";
import { groupQuants, localNames, type QuantGroup, type RemoteFile } from "./gguf-parts";
import type { HubFileCache } from "./hub-cache";
import type { HubClient } from "./hub-client";
import { safeFileName, type ModelRef } from "./model-ref";

export interface PlannedSource {
  /** Resolve URL on the Hub, or the plain URL. */
  url: string;
  /** From the listing; -1 when unknown until probed (plain URLs). */
  size: number;
  sha256: string | null;
}

export interface PlannedFile {
  name: string;
  sources: PlannedSource[];
}

export interface DownloadPlan {
  repo: string | null;
  revision: string | null;
  quant: string | null;
  files: PlannedFile[];
}

/** The repo's files, live when possible, else the cached listing (offline); caches what it fetches. */
export async function listRepoFiles(
  hub: HubClient,
  cache: HubFileCache,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<{ files: RemoteFile[]; live: boolean }> {
  try {
    const files = await hub.listFiles(repo, revision, signal);
    cache.replace(repo, revision, files);
    return { files, live: true };
  } catch (error) {
    const cached = failureReason(error) === "offline" ? cache.get(repo, revision) : null;
    if (cached) return { files: cached.files, live: false };
    throw error;
  }
}

/** Turns a ref into the files to write and the remote objects that fill them. */
export async function planDownload(
  hub: HubClient,
  cache: HubFileCache,
  ref: ModelRef,
  signal?: AbortSignal,
): Promise<DownloadPlan> {
  if (ref.kind === "url") {
    return { repo: null, revision: null, quant: null, files: [{ name: ref.fileName, sources: [{ url: ref.url, size: -1, sha256: null }] }] };
  }
  const { files } = await listRepoFiles(hub, cache, ref.repo, ref.revision, signal);
  if (signal?.aborted) throw new AbortedError();
  const group = pickGroup(groupQuants(files), ref);
  const names = localNames(group).map((n) => safeFileName(n, ref.repo));
  const sources = group.files.map((f) => ({ url: hub.resolveUrl(ref.repo, ref.revision, f.path), size: f.size, sha256: f.sha256 }));
  const planned: PlannedFile[] =
    group.layout === "concat"
      ? [{ name: names[0] ?? "model.gguf", sources }]
      : sources.map((source, i) => ({ name: names[i] ?? `part-${i}.gguf`, sources: [source] }));
  return { repo: ref.repo, revision: ref.revision, quant: group.quant, files: planned };
}

function pickGroup(groups: QuantGroup[], ref: Extract<ModelRef, { kind: "hub" }>): QuantGroup {
  const available = [...new Set(groups.map((g) => g.quant ?? g.key))].join(", ") || "none";
  let candidates: QuantGroup[];
  if (ref.file) {
    candidates = groups.filter((g) => g.files.some((f) => f.path === ref.file));
    if (candidates.length === 0) throw notFound(`${ref.file} is not a GGUF model file in ${ref.repo}`, ref);
  } else if (ref.quant) {
    const wanted = ref.quant.toUpperCase();
    candidates = groups.filter((g) => g.quant === wanted);
    if (candidates.length === 0) throw notFound(`${ref.repo} has no ${ref.quant} quant (available: ${available})`, ref);
  } else {
    candidates = groups.filter((g) => g.complete);
    if (candidates.length !== 1) {
      throw downloadError("bad_request", "bad_ref", `Choose a quant: hf:${ref.repo}:QUANT (available: ${available}).`, { repo: ref.repo, available });
    }
  }
  const group = candidates.find((g) => g.complete);
  if (!group) {
    const partial = candidates[0];
    throw notFound(`${ref.repo} has only ${partial?.files.length ?? 0} of ${partial?.partCount ?? "?"} parts of ${partial?.quant ?? "that model"}`, ref);
  }
  return group;
}

function notFound(message: string, ref: Extract<ModelRef, { kind: "hub" }>): AppError {
  return downloadError("not_found", "not_found", `${message}.`, { repo: ref.repo, quant: ref.quant, file: ref.file });
}
