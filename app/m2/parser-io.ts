import type { M2ParseEvent } from "./parser-events";

/** Model text received but not yet classified. */
export class InputBuffer {
  text = "";
  /** Set by `end()`: nothing more will come, so held prefixes are flushed as what they are. */
  final = false;

  /** Removes and returns the first `count` characters. */
  take(count: number): string {
    const head = this.text.slice(0, count);
    this.text = this.text.slice(count);
    return head;
  }
}

/** Collects events for one push/end, merging adjacent deltas of the same stream. */
export class EventSink {
  private events: M2ParseEvent[] = [];

  emit(event: M2ParseEvent): void {
    const last = this.events[this.events.length - 1];
    if (event.type === "reasoning_delta" || event.type === "content_delta") {
      if (event.text === "") return;
      if (last?.type === event.type) {
        last.text += event.text;
        return;
      }
    } else if (event.type === "tool_call_argument" && !event.complete) {
      if (event.value_delta === "") return;
      if (
        last?.type === "tool_call_argument" &&
        !last.complete &&
        last.index === event.index &&
        last.parameter === event.parameter
      ) {
        last.value_delta += event.value_delta;
        return;
      }
    }
    this.events.push(event);
  }

  drain(): M2ParseEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}
