import { backoffDelay, sleep } from "./backoff";
import { AbortedError, downloadError } from "./errors";
import { NetError } from "./http";
import { HttpStatusError, toAppError, type HubClient, type ProbeResult } from "./hub-client";
import type { SourceRow } from "./store";

export interface RetryPolicy {
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Probes a remote object, sitting out 5xx, 429 and network blips; fatal statuses become typed errors. */
export async function probeWithRetry(
  hub: HubClient,
  url: string,
  policy: RetryPolicy,
  signal?: AbortSignal,
  repo?: string,
): Promise<ProbeResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await hub.probe(url, signal);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      const fatal = error instanceof HttpStatusError ? hub.statusError(error, repo) : null;
      const retryable = error instanceof NetError || (error instanceof HttpStatusError && (error.status === 429 || !fatal));
      if (!retryable || attempt >= policy.maxRetries) {
        if (fatal) throw fatal;
        if (error instanceof HttpStatusError) {
          throw downloadError("internal", "http", `The server answered HTTP ${error.status} for ${url}.`, { url, status: error.status });
        }
        throw toAppError(error, url);
      }
      const hinted = error instanceof HttpStatusError ? error.retryAfterMs : undefined;
      await sleep(hinted ?? backoffDelay(attempt, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxMs }), signal);
    }
  }
}

/** Still the object we started with? Size, range support, and ETag/sha256 when both sides know them. */
export function sameObject(source: SourceRow, probe: ProbeResult): boolean {
  if (probe.size !== source.size || probe.rangeable !== source.rangeable) return false;
  if (source.etag && probe.etag && source.etag !== probe.etag) return false;
  if (source.sha256 && probe.linkedSha256 && source.sha256 !== probe.linkedSha256) return false;
  return true;
}
