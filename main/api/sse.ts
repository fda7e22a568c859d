import type { ServerResponse } from "node:http";

/** Server-sent events: OpenAI sends bare `data:` lines, Anthropic names each event too. */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
    // Headers go out now: the client sees the stream open before the first token (the request may wait its turn).
    response.flushHeaders();
  }

  data(payload: unknown): void {
    this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  event(name: string, payload: unknown): void {
    this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  /** OpenAI's end of stream. */
  done(): void {
    this.write("data: [DONE]\n\n");
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  private write(text: string): void {
    if (!this.response.writableEnded && !this.response.destroyed) this.response.write(text);
  }
}
