import { readFileSync } from "node:fs";
import { uptime } from "node:os";

let cached: string | undefined;

/**
 * Identifies the current boot. Bytes written but not fdatasync'ed survive a process crash
 * (they are in the page cache) but not a reboot, so resume trusts them only on the same boot.
 */
export function bootId(): string {
  if (cached) return cached;
  try {
    cached = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    // Elsewhere: the boot time to the minute. A wrong "rebooted" only costs a re-fetch.
    cached = `boot-${Math.round((Date.now() - uptime() * 1000) / 60_000)}`;
  }
  return cached;
}
