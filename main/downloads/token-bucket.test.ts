import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";
import { chunkSizeFor, contiguousFrontier, planChunks } from "./chunk-plan";
import { TokenBucket } from "./token-bucket";

describe("token bucket", () => {
  it("lets a burst through, then asks readers to wait in proportion to the debt", () => {
    let now = 0;
    const bucket = new TokenBucket(1_000_000, () => now);
    expect(bucket.take(100_000)).toBe(0); // the 100 ms burst
    expect(bucket.take(500_000)).toBe(500);
    now += 500;
    expect(bucket.take(0)).toBe(0);
    bucket.setRate(0);
    expect(bucket.take(1e9)).toBe(0);
  });
});

describe("backoff and chunk planning", () => {
  it("grows exponentially with jitter and a cap", () => {
    const opts = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(10, opts, () => 1)).toBe(1_000);
  });

  it("cuts chunks at source boundaries and tracks the written prefix", () => {
    const chunks = planChunks([{ offset: 0, size: 250, rangeable: true }, { offset: 250, size: 100, rangeable: false }], 100);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 100], [100, 200], [200, 250], [250, 350]]);
    expect(contiguousFrontier(chunks)).toBe(0);
    chunks[0]!.done = 100;
    chunks[1]!.done = 40;
    chunks[2]!.done = 50;
    expect(contiguousFrontier(chunks)).toBe(140);
    expect(chunkSizeFor(3_000_000, 4, 32 << 20)).toBe(750_000);
    expect(chunkSizeFor(10 * 2 ** 30, 4, 32 << 20)).toBe(32 << 20);
  });
});
