import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { TMPFS_DIRS } from "../bwrap-args";

/**
 * A fresh folder outside every tmpfs the sandbox mounts (/tmp, /var/tmp, /run, /home, /root): one a
 * sandboxed command sees, read-only, for the attacks on visible host paths. The checkout itself may
 * sit under /tmp (CI clones), so /var/cache and /var/lib come first.
 */
export function visibleScratchDir(prefix = "m2d-attack-"): string {
  for (const base of ["/var/cache", "/var/lib", process.cwd()]) {
    if (TMPFS_DIRS.some((hidden) => base === hidden || base.startsWith(`${hidden}/`))) continue;
    try {
      return mkdtempSync(join(base, prefix));
    } catch {
      // not writable here: try the next one
    }
  }
  throw new Error("No writable folder outside the sandbox's tmpfs mounts for the visible-path attacks.");
}
