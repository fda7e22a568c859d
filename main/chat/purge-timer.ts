import { AppError } from "../../app/contract/errors";
import type { ChatRepository } from "./repository";

/**
 * Purges conversations whose undo window has passed: once now (deletions left by
 * the last run) and then every `intervalMs`. Returns a stop function. The timer
 * does not keep the process alive.
 */
export function startPurgeTimer(
  repo: ChatRepository,
  options: { intervalMs?: number; onPurged?: (ids: string[]) => void; onError?: (error: AppError) => void } = {},
): () => void {
  const run = () => {
    try {
      const ids = repo.purgeExpired();
      if (ids.length > 0) options.onPurged?.(ids);
    } catch (error) {
      options.onError?.(AppError.from(error));
    }
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? Math.max(1_000, Math.floor(repo.undoWindowMs / 2)));
  timer.unref?.();
  return () => clearInterval(timer);
}
