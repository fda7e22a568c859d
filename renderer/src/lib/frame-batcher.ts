export interface BatcherOptions {
  /** Least time between two flushes: one render per frame is more than streamed text needs. */
  minIntervalMs?: number;
  /**
   * Also wait this many times the last flush's cost (its synchronous render included),
   * up to maxIntervalMs: a busy or slow machine gets fewer, larger updates instead of long tasks.
   */
  costFactor?: number;
  maxIntervalMs?: number;
  /** A hidden window gets no frames: flush on a timer then, so the queue stays bounded. */
  fallbackMs?: number;
  now?: () => number;
}

/**
 * Collects items and hands them over in one go at the next animation frame (at most
 * once per `minIntervalMs`), so a burst of deltas costs one store update and one render.
 */
export function frameBatcher<T>(flush: (items: T[]) => void, options: BatcherOptions = {}): (item: T) => void {
  const { minIntervalMs = 0, costFactor = 0, maxIntervalMs = 250, fallbackMs = 250, now = () => performance.now() } = options;
  const hasFrames = typeof requestAnimationFrame === "function";
  let queue: T[] = [];
  let scheduled = false;
  let lastFlush = -Infinity;
  let interval = minIntervalMs;
  let frame = 0;
  let delay: ReturnType<typeof setTimeout> | undefined;
  let fallback: ReturnType<typeof setTimeout> | undefined;

  const run = () => {
    if (!scheduled) return;
    scheduled = false;
    if (hasFrames) cancelAnimationFrame(frame);
    clearTimeout(delay);
    clearTimeout(fallback);
    const started = now();
    lastFlush = started;
    const items = queue;
    queue = [];
    if (items.length === 0) return;
    flush(items);
    // React renders a store update in a microtask queued during flush: this one runs after it.
    if (costFactor > 0) queueMicrotask(() => (interval = Math.min(maxIntervalMs, Math.max(minIntervalMs, (now() - started) * costFactor))));
  };
  const onFrame = () => {
    if (hasFrames) frame = requestAnimationFrame(run);
    else delay = setTimeout(run, 0);
  };

  return (item) => {
    queue.push(item);
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(0, lastFlush + interval - now());
    if (wait > 1) delay = setTimeout(onFrame, wait);
    else onFrame();
    fallback = setTimeout(run, wait + fallbackMs);
  };
}
