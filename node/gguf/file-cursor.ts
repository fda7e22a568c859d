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

  /** Returns the offset into this.buf; call it before reading this.buf, which it may replace. */
  private take(n: number): number {
    const at = this.ensure(n);
    this.pos += n;
    return at;
  }

  u8(): number {
    const at = this.take(1);
    return this.buf.readUInt8(at);
  }
  i8(): number {
    const at = this.take(1);
    return this.buf.readInt8(at);
  }
  u16(): number {
    const at = this.take(2);
    return this.buf.readUInt16LE(at);
  }
  i16(): number {
    const at = this.take(2);
    return this.buf.readInt16LE(at);
  }
  u32(): number {
    const at = this.take(4);
    return this.buf.readUInt32LE(at);
  }
  i32(): number {
    const at = this.take(4);
    return this.buf.readInt32LE(at);
  }
  f32(): number {
    const at = this.take(4);
    return this.buf.readFloatLE(at);
  }
  f64(): number {
    const at = this.take(8);
    return this.buf.readDoubleLE(at);
  }
  u64(): bigint {
    const at = this.take(8);
    return this.buf.readBigUInt64LE(at);
  }
  i64(): bigint {
    const at = this.take(8);
    return this.buf.readBigInt64LE(at);
  }

  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  utf8(n: number): string {
    const at = this.take(n);
    return this.buf.toString("utf8", at, at + n);
  }
}
