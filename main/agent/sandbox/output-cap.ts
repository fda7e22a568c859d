/** Keeps the first `cap` bytes of a stream and counts the rest, so a flood never sits in memory. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (room <= 0) return;
    const head = chunk.length <= room ? chunk : chunk.subarray(0, room);
    // Copy a partial slice: a subarray would pin the whole (possibly 64 KB) chunk.
    this.chunks.push(head === chunk ? chunk : Buffer.from(head));
    this.kept += head.length;
  }

  get truncatedBytes(): number {
    return this.total - this.kept;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString("utf8");
  }
}
