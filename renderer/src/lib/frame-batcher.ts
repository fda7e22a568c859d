/**
 * Collects items and hands them over once per animation frame, so a burst of
 * deltas costs one store update and one render. A timer backs rAF up, since a
 * hidden window gets no frames and the queue must not grow without bound.
 */
export function frameBatcher<T>(flush: (items: T[]) => void, fallbackMs = 250): (item: T) => void {
  let queue: T[] = [];
  let scheduled = false;
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    scheduled = false;
    if (typeof cancelAnimationFrame === "function") cancelAnimationFrame(frame);
    clearTimeout(timer);
    const items = queue;
    queue = [];
    if (items.length > 0) flush(items);
  };
  return (item) => {
    queue.push(item);
    if (scheduled) return;
    scheduled = true;
    if (typeof requestAnimationFrame === "function") frame = requestAnimationFrame(run);
    timer = setTimeout(run, fallbackMs);
  };
}
