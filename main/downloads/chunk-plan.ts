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
 *
 * The file's last `connections × chunkSize` bytes are cut eight times finer (not below 1 MiB):
 * the connections then finish together, and the bytes fetched ahead of the contiguous prefix,
 * which the hasher can only start on once everything before them is there, are a few MiB when
 * the last one arrives instead of up to three whole chunks.
 */
export function planChunks(sources: readonly SourceLayout[], chunkSize: number, connections = 1): Chunk[] {
  const chunks: Chunk[] = [];
  const fileEnd = sources.reduce((end, s) => Math.max(end, s.offset + s.size), 0);
  const tailStart = fileEnd - connections * chunkSize;
  const tailChunk = Math.max(Math.min(chunkSize, 1024 * 1024), Math.floor(chunkSize / 8));
  for (const source of sources) {
    const end = source.offset + source.size;
    for (let start = source.offset; start < end; ) {
      let stop = end;
      if (source.rangeable) stop = start >= tailStart ? Math.min(end, start + tailChunk) : Math.min(end, start + chunkSize, tailStart);
      chunks.push({ idx: chunks.length, start, end: stop, done: 0 });
      start = stop;
    }
  }
  return chunks;
}

/** A new file's chunks for the download settings: sized by chunkSizeFor, tail cut finer. */
export function chunksFor(sources: readonly SourceLayout[], settings: { connectionsPerFile: number; chunkBytes: number }): Chunk[] {
  const size = sources.reduce((end, s) => Math.max(end, s.offset + s.size), 0);
  return planChunks(sources, chunkSizeFor(size, settings.connectionsPerFile, settings.chunkBytes), settings.connectionsPerFile);
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
