import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AbortedError } from "./errors";
import { FileWriter } from "./file-writer";

const dir = mkdtempSync(join(tmpdir(), "m2d-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("FileWriter", () => {
  it("writes shared and plain buffers at their positions, in pieces, from its own thread", async () => {
    const path = join(dir, "a.bin");
    writeFileSync(path, "");
    const writer = new FileWriter(path);
    const shared = Buffer.from(new SharedArrayBuffer(1024 * 1024));
    for (let i = 0; i < shared.length; i++) shared[i] = i % 253;
    const plain = Buffer.from("tail of the file");
    // Out of order, like connections fetching different chunks.
    const results = await Promise.all([writer.write(plain, 1_500_000), writer.write(shared.subarray(1000), 1000), writer.write(shared.subarray(0, 1000), 0)]);
    expect(results.map((r) => r.bytesWritten)).toEqual([plain.length, shared.length - 1000, 1000]);
    expect(results.every((r) => r.error === undefined)).toBe(true);
    // The buffer is the writer's to read only until the write resolves: changing it now changes nothing.
    shared.fill(0);
    await writer.close();
    const file = readFileSync(path);
    expect(file.length).toBe(1_500_000 + plain.length);
    expect(file.subarray(0, 1024 * 1024).every((b, i) => b === i % 253)).toBe(true);
    expect(file.subarray(1_500_000).toString()).toBe("tail of the file");
    await expect(writer.write(plain, 0)).rejects.toBeInstanceOf(AbortedError);
  });

  it.skipIf(!existsSync("/dev/full"))("reports a full disk (/dev/full) as a WriteError with its code, and stays usable", async () => {
    const writer = new FileWriter("/dev/full");
    const result = await writer.write(Buffer.from(new SharedArrayBuffer(4096)), 0);
    expect(result.bytesWritten).toBe(0);
    expect(result.error?.name).toBe("WriteError");
    expect(result.error?.code).toBe("ENOSPC");
    expect((await writer.write(Buffer.from("again"), 0)).error?.code).toBe("ENOSPC");
    await writer.close();
  });

  it("answers every pending write when its thread cannot open the file", async () => {
    const writer = new FileWriter(join(dir, "no", "such", "dir.bin"));
    const result = await writer.write(Buffer.from("x"), 0);
    expect(result).toMatchObject({ bytesWritten: 0, error: { code: "EWORKER" } });
    await writer.close();
  });
});
