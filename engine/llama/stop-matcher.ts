export type StopMatch = { text: string; stop?: string };

/**
 * Finds stop strings in streamed text. Text that might be the start of a stop string is held
 * back, so nothing after (or part of) a stop string is ever emitted.
 */
export class StopMatcher {
  private readonly stops: readonly string[];
  private held = "";
  private stopped = false;

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((stop) => stop.length > 0);
  }

  /** Feed new text; returns what is safe to emit, and the stop string if one was hit. */
  push(text: string): StopMatch {
    if (this.stopped) return { text: "" };
    const buffer = this.held + text;
    let at = -1;
    let hit: string | undefined;
    for (const stop of this.stops) {
      const index = buffer.indexOf(stop);
      if (index !== -1 && (at === -1 || index < at)) {
        at = index;
        hit = stop;
      }
    }
    if (hit !== undefined) {
      this.stopped = true;
      this.held = "";
      return { text: buffer.slice(0, at), stop: hit };
    }
    const keep = this.partialStopSuffix(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep) };
  }

  /** The held-back text: generation ended without completing a stop string. */
  flush(): string {
    const text = this.held;
    this.held = "";
    return text;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop string. */
  private partialStopSuffix(buffer: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, buffer.length); length > longest; length--) {
        if (buffer.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
