import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { frameBatcher } from "./frame-batcher";

describe("frameBatcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands a burst over in one flush, and spaces flushes by minIntervalMs", () => {
    const flushes: number[][] = [];
    const push = frameBatcher<number>((items) => flushes.push(items), { minIntervalMs: 30, fallbackMs: 250, now: () => Date.now() });
    push(1);
    push(2);
    vi.advanceTimersByTime(1); // no requestAnimationFrame in Node: flushes at once via the timer path
    expect(flushes).toEqual([[1, 2]]);
    push(3);
    vi.advanceTimersByTime(10);
    expect(flushes).toHaveLength(1);
    push(4);
    vi.advanceTimersByTime(25);
    expect(flushes).toEqual([[1, 2], [3, 4]]);
  });
});

describe("frameBatcher under load", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits longer after a costly flush", async () => {
    const flushes: number[][] = [];
    const push = frameBatcher<number>(
      (items) => {
        flushes.push(items);
        vi.advanceTimersByTime(0);
        vi.setSystemTime(Date.now() + 40); // this flush "took" 40 ms
      },
      { minIntervalMs: 30, costFactor: 4, maxIntervalMs: 250, now: () => Date.now() },
    );
    push(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toEqual([[1]]);
    push(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(flushes).toHaveLength(1); // 4 × 40 ms = 160 ms since the last flush started
    await vi.advanceTimersByTimeAsync(30);
    expect(flushes).toEqual([[1], [2]]);
  });
});
