import type { Readable, Writable } from "node:stream";
import type { CdpChannel } from "./cdp-page-report";

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** One message from the browser: far above any real one (a served file goes the other way), well below what would strain the app. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * A minimal DevTools client over Chromium's --remote-debugging-pipe (commands into its fd 3, replies
 * and events out of its fd 4, each message JSON ended by a NUL byte): no port for anyone else to
 * reach, and none needed across a network namespace. Commands go to one flattened page session,
 * events from it to a handler.
 */
export class Cdp {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private sessionId: string | undefined;
  private onEvent: (method: string, params: Record<string, unknown>) => void = () => undefined;
  private closed = false;

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    output.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let end = chunk.indexOf(0); end !== -1 && !this.closed; end = chunk.indexOf(0, start)) {
        buffered.push(chunk.subarray(start, end));
        const text = Buffer.concat(buffered).toString("utf8");
        buffered = [];
        bufferedBytes = 0;
        start = end + 1;
        if (text.length > MAX_MESSAGE_BYTES) this.close();
        else this.dispatch(text);
      }
      if (this.closed || start >= chunk.length) return;
      buffered.push(chunk.subarray(start));
      bufferedBytes += chunk.length - start;
      // A page's console.log of a huge string arrives as one message: it must not grow the app's heap without end.
      if (bufferedBytes > MAX_MESSAGE_BYTES) {
        buffered = [];
        this.close();
      }
    });
    output.on("close", () => this.close());
    // EPIPE when the browser is gone: the pending commands fail through close().
    output.on("error", () => this.close());
    input.on("error", () => this.close());
  }

  private dispatch(text: string): void {
    let message: CdpMessage;
    try {
      message = JSON.parse(text) as CdpMessage;
    } catch {
      // Not DevTools speaking: thrown here it would be an uncaught exception in the app.
      this.close();
      return;
    }
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result ?? {});
    } else if (message.method && message.sessionId === this.sessionId) {
      this.onEvent(message.method, message.params ?? {});
    }
  }

  send(method: string, params: Record<string, unknown> = {}, session = true): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error("the DevTools connection closed"));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(session && this.sessionId ? { sessionId: this.sessionId } : {}) })}\0`);
    });
  }

  /** A fresh page target, attached as a flattened session: the channel the page report is collected over. */
  async openPage(): Promise<CdpChannel> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" }, false);
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true }, false);
    this.sessionId = sessionId as string;
    return { send: (method, params) => this.send(method, params), onEvent: (handler) => (this.onEvent = handler) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(new Error("the DevTools connection closed"));
    this.pending.clear();
    this.input.destroy();
  }
}
