import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The CLI bundle lives in dist/main/cli/; other build outputs are found from there. */
const distRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function distPath(relative: string): string {
  return join(distRoot, relative);
}
