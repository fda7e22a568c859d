/*
 * Helpers the M2 and M3 parser tests share: a seeded PRNG, a random chunker and the checks that
 * hold for every parse event stream. Plain TypeScript (no test framework), so a failed check
 * throws an Error that names it.
 */
import type { M2ParseEvent } from "./parser-events";

/** Deterministic PRNG so a failing chunking can be reproduced. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `text` into random chunks, mostly 1–6 characters, sometimes up to 40. */
export function randomChunks(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < text.length) {
    const size = 1 + Math.floor(random() * (random() < 0.2 ? 40 : 6));
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`malformed event stream: ${what}`);
}

/** Checks that hold for every event stream, whatever the input; throws on the first that fails. */
export function expectWellFormed(events: readonly M2ParseEvent[]): void {
  const doneAt = events.findIndex((event) => event.type === "done");
  check(doneAt === events.length - 1, `"done" is at ${doneAt}, not last of ${events.length}`);
  const values = new Map<string, string>();
  const open = new Map<number, string>();
  for (const event of events) {
    if ((event.type === "reasoning_delta" || event.type === "content_delta") && event.text === "") {
      throw new Error("empty delta");
    }
    if (event.type === "parse_error") check(event.code !== "internal", "an internal parse_error");
    if (event.type === "tool_call_started") {
      check(!open.has(event.index), `call ${event.index} started twice`);
      open.set(event.index, event.name);
    }
    if (event.type === "tool_call_argument") {
      check(open.get(event.index) === event.name, `argument for call ${event.index} (${event.name}) that is not open`);
      const key = `${event.index}\u0000${event.parameter}`;
      if (event.complete) {
        check((values.get(key) ?? "") === event.raw, `argument ${event.parameter} of call ${event.index}: deltas do not add up to raw`);
        values.delete(key);
      } else {
        check(event.value_delta !== "", `empty value_delta for ${event.parameter} of call ${event.index}`);
        values.set(key, (values.get(key) ?? "") + event.value_delta);
      }
    }
    if (event.type === "tool_call_completed") {
      check(open.get(event.index) === event.name, `call ${event.index} (${event.name}) completed but not open`);
      open.delete(event.index);
    }
  }
  check(open.size === 0, `${open.size} call(s) never completed`);
}
