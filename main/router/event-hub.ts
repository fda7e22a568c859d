import type { AppEvent } from "../../app/contract";

type Listener = (event: AppEvent) => void;

/** Fan-out of backend events to every connected UI, whatever its transport. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken connection must not starve the others.
      }
    }
  }
}
