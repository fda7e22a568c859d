import { AppError } from "../../app/contract/errors";

export function abortedError(what: string): AppError {
  return new AppError("aborted", `${what} was aborted`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(what);
}

export type Raced<T> = { aborted: false; value: T } | { aborted: true; pending: Promise<unknown> };

/**
 * Wait for `work` unless `signal` fires first. On abort the caller gets control back at once
 * and `pending` still tracks the native work, which cannot be interrupted mid-batch.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<Raced<T>> {
  const pending = work.then(
    () => undefined,
    () => undefined,
  );
  if (signal == null) return work.then((value) => ({ aborted: false, value }));
  if (signal.aborted) return Promise.resolve({ aborted: true, pending });
  return new Promise<Raced<T>>((resolve, reject) => {
    const onAbort = () => resolve({ aborted: true, pending });
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve({ aborted: false, value });
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
