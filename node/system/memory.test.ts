import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMeminfo, systemMemory, usedMemory } from "./memory";

// A real /proc/meminfo (trimmed) from a machine whose page cache holds 41 GiB of a model file just read.
const MEMINFO = `MemTotal:       65536000 kB
MemFree:         2048000 kB
MemAvailable:   49152000 kB
Buffers:          512000 kB
Cached:         43008000 kB
SwapCached:            0 kB
Active:         20480000 kB
Inactive:       38912000 kB
Active(anon):   14336000 kB
SReclaimable:    1024000 kB
HugePages_Total:       0
`;

describe("parseMeminfo", () => {
  it("reads available memory from MemAvailable, so page cache is not counted as used", () => {
    const memory = parseMeminfo(MEMINFO)!;
    expect(memory).toEqual({ total: 65_536_000 * 1024, available: 49_152_000 * 1024 });
    // free(1) would show used = 16000 MiB here; MemFree would have claimed 62.5 GB in use.
    expect(usedMemory(memory)).toBe((65_536_000 - 49_152_000) * 1024);
  });

  it("falls back to free + buffers + cache + reclaimable slabs on kernels without MemAvailable", () => {
    const old = MEMINFO.split("\n").filter((l) => !l.startsWith("MemAvailable")).join("\n");
    expect(parseMeminfo(old)!.available).toBe((2_048_000 + 512_000 + 43_008_000 + 1_024_000) * 1024);
  });

  it("gives nothing for text without MemTotal", () => {
    expect(parseMeminfo("")).toBeUndefined();
    expect(parseMeminfo("garbage\nMemFree: x kB")).toBeUndefined();
  });
});

describe("systemMemory", () => {
  it("reads the given meminfo file on Linux", () => {
    if (process.platform !== "linux") return;
    const dir = mkdtempSync(join(tmpdir(), "meminfo-"));
    writeFileSync(join(dir, "meminfo"), MEMINFO);
    expect(systemMemory(join(dir, "meminfo"))).toEqual({ total: 65_536_000 * 1024, available: 49_152_000 * 1024 });
  });

  it("falls back to the OS figures when the file cannot be read", () => {
    const memory = systemMemory("/nonexistent/meminfo");
    expect(memory.total).toBeGreaterThan(0);
    expect(memory.available).toBeGreaterThan(0);
    expect(memory.available).toBeLessThanOrEqual(memory.total);
  });
});
