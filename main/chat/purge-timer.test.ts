import { afterEach, describe, expect, it, vi } from "vitest";
import { startPurgeTimer } from "./purge-timer";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => {
  vi.useRealTimers();
  t.cleanup();
});

describe("startPurgeTimer", () => {
  it("purges leftovers at once, then each deletion once its undo window has passed", () => {
    vi.useFakeTimers({ now: new Date(2025, 5, 15, 12, 0) });
    t = openTestDb({ now: Date.now, undoWindowMs: 10_000 });
    const leftover = t.repo.createConversation();
    t.repo.deleteConversation(leftover.id);
    vi.advanceTimersByTime(10_000);
    const purged: string[][] = [];
    const stop = startPurgeTimer(t.repo, { intervalMs: 1_000, onPurged: (ids) => purged.push(ids) });
    expect(purged).toEqual([[leftover.id]]);

    const c = t.repo.createConversation();
    t.repo.deleteConversation(c.id);
    vi.advanceTimersByTime(9_000);
    t.repo.restoreConversation(c.id); // undone in time: kept
    const d = t.repo.createConversation();
    t.repo.deleteConversation(d.id);
    vi.advanceTimersByTime(10_000);
    expect(purged).toEqual([[leftover.id], [d.id]]);
    expect(t.repo.getConversation(c.id).id).toBe(c.id);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
