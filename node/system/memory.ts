import { readFileSync } from "node:fs";
import { freemem, totalmem } from "node:os";
import type { SystemMemory } from "../../app/contract/model";

export type { SystemMemory };

/**
 * Total and available memory from the text of /proc/meminfo, as `free` computes them: available is MemAvailable
 * (free pages plus reclaimable page cache and slabs), never MemFree, so a full page cache does not read as RAM in use.
 * Kernels before 3.14 have no MemAvailable: then free + buffers + cache. Undefined when MemTotal is missing.
 */
export function parseMeminfo(text: string): SystemMemory | undefined {
  const kib = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?\s*$/.exec(line.trim());
    if (match) kib.set(match[1]!, Number(match[2]));
  }
  const total = kib.get("MemTotal");
  if (total === undefined) return undefined;
  const available =
    kib.get("MemAvailable") ?? (kib.get("MemFree") ?? 0) + (kib.get("Buffers") ?? 0) + (kib.get("Cached") ?? 0) + (kib.get("SReclaimable") ?? 0);
  return { total: total * 1024, available: Math.min(total, available) * 1024 };
}

/** This machine's memory: /proc/meminfo on Linux, else the OS's own figures (os.freemem is already "available" there). */
export function systemMemory(meminfoPath = "/proc/meminfo"): SystemMemory {
  if (process.platform === "linux") {
    try {
      const parsed = parseMeminfo(readFileSync(meminfoPath, "utf8"));
      if (parsed) return parsed;
    } catch {
      // No /proc (a sandbox): the OS figures below.
    }
  }
  return { total: totalmem(), available: Math.min(totalmem(), freemem()) };
}

/** RAM in use as `free` shows it: total − available. */
export function usedMemory(memory: SystemMemory): number {
  return Math.max(0, memory.total - memory.available);
}
