import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** For tests: numbered workspace folders with the given top-level files, under one temp root removed at the end. */
export function scratchWorkspaces(prefix: string) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  let n = 0;
  return {
    root,
    workspace(files: Record<string, string>): string {
      const dir = join(root, `ws${n++}`);
      mkdirSync(dir);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
