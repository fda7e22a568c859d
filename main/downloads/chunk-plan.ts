/** Splitting a file into byte ranges that connections claim in order. */

export interface SourceLayout {
  offset: number;
  size: number;
  rangeable: boolean;
}

export interface Chunk {
  idx: number;
  start: number;
  /** Exclusive. */
  end: number;
  /** Bytes written from `start`. */
  done: number;
}

/** Small files still get one chunk per connection; big ones are cut at chunkBytes. */
export function chunkSizeFor(fileSize: number, connections: number, chunkBytes: number): number {
  const perConnection = Math.ceil(fileSize / Math.max(1, connections));
  return Math.max(64 * 1024, Math.min(chunkBytes, perConnection));
}

/**
 * Chunks never straddle two sources (each is a separate remote object). A source without
 * range support is one chunk: it can only be fetched, and refetched, whole.
 */
export function planChunks(sources: readonly SourceLayout[], chunkSize: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (const source of sources) {
    const end = source.offset + source.size;
    const step = source.rangeable ? chunkSize : Math.max(1, source.size);
    for (let start = source.offset; start < end; start += step) {
      chunks.push({ idx: chunks.length, start, end: Math.min(end, start + step), done: 0 });
    }
  }
  return chunks;
}

/** End of the written prefix: every byte before it is on disk. */
export function contiguousFrontier(chunks: readonly Chunk[]): number {
  let frontier = 0;
  for (const chunk of chunks) {
    if (chunk.start !== frontier) return frontier;
    frontier = chunk.start + chunk.done;
    if (chunk.start + chunk.done < chunk.end) return frontier;
  }
  return frontier;
}

export function bytesDone(chunks: readonly Chunk[]): number {
  return chunks.reduce((sum, c) => sum + c.done, 0);
}
