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

  it("cuts the file's last connections x chunk bytes eight times finer, covering every byte once", () => {
    const MiB = 1024 * 1024;
    const chunks = planChunks([{ offset: 0, size: 600 * MiB + 5, rangeable: true }, { offset: 600 * MiB + 5, size: 424 * MiB - 5, rangeable: true }], 32 * MiB, 4);
    const sizes = chunks.map((c) => c.end - c.start);
    expect(chunks.every((c, i) => i === 0 || c.start === chunks[i - 1]!.end)).toBe(true);
    expect(chunks.at(-1)?.end).toBe(1024 * MiB);
    // The tail: 128 MiB in 4 MiB chunks, and nothing bigger than 32 MiB anywhere.
    expect(sizes.slice(-32)).toEqual(Array(32).fill(4 * MiB));
    expect(Math.max(...sizes)).toBe(32 * MiB);
    expect(chunks.some((c) => c.start < 600 * MiB + 5 && c.end > 600 * MiB + 5)).toBe(false);
    // Small chunk sizes stay as they are (no chunk below 1 MiB from the taper).
    expect(planChunks([{ offset: 0, size: 2 * MiB, rangeable: true }], 256 * 1024, 4).every((c) => c.end - c.start === 256 * 1024)).toBe(true);
  });
});
