import { readSync } from "node:fs";

/** Thrown when a read runs past the end of the file. */
export class EndOfFile extends Error {}

const WINDOW = 1 << 20;

/**
 * Sequential little-endian reads over a file descriptor through a 1 MiB
 * window, so a header with 200k vocab strings never loads the whole file.
 */
export class FileCursor {
  pos = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  get remaining(): number {
    return this.size - this.pos;
  }

  private ensure(n: number): number {
    if (this.pos + n > this.size) throw new EndOfFile();
    const at = this.pos - this.bufStart;
    if (at >= 0 && at + n <= this.buf.length) return at;
    const len = Math.min(Math.max(n, WINDOW), this.size - this.pos);
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const r = readSync(this.fd, buf, got, len - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    if (got < n) throw new EndOfFile(); // the file shrank under us
    this.buf = buf.subarray(0, got);
    this.bufStart = this.pos;
    return 0;
  }

  private take(n: number): number {
    const at = this.ensure(n);
    this.pos += n;
    return at;
  }

  u8(): number { return this.buf.readUInt8(this.take(1)); }
  i8(): number { return this.buf.readInt8(this.take(1)); }
  u16(): number { return this.buf.readUInt16LE(this.take(2)); }
  i16(): number { return this.buf.readInt16LE(this.take(2)); }
  u32(): number { return this.buf.readUInt32LE(this.take(4)); }
  i32(): number { return this.buf.readInt32LE(this.take(4)); }
  f32(): number { return this.buf.readFloatLE(this.take(4)); }
  f64(): number { return this.buf.readDoubleLE(this.take(8)); }
  u64(): bigint { return this.buf.readBigUInt64LE(this.take(8)); }
  i64(): bigint { return this.buf.readBigInt64LE(this.take(8)); }

  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  utf8(n: number): string {
    const at = this.take(n);
    return this.buf.toString("utf8", at, at + n);
  }
}
