import { access, realpath } from "node:fs/promises";
import { MASKED_DIRS, MASKED_FILES, type BwrapPlan } from "./bwrap-args";
import { privateHostPaths } from "./private-paths";

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * What of the host a bubblewrap sandbox hides or shows beyond its fixed layout: the secret files
 * and folders that exist here (masked), and the extra read-only paths, by real path (a missing
 * one is skipped). The command runner and sandboxed MCP servers share it, so both mask the same.
 */
export async function hostMounts(readOnlyPaths: readonly string[]): Promise<Pick<BwrapPlan, "maskedFiles" | "maskedDirs" | "extraReadOnly" | "hiddenPaths">> {
  const present = async (paths: readonly string[]) => (await Promise.all(paths.map(async (p) => ((await exists(p)) ? p : null)))).filter((p) => p !== null);
  const extraReadOnly = (await Promise.all(readOnlyPaths.map((p) => realpath(p).catch(() => null)))).filter((p) => p !== null);
  // The app's data dir is hidden only where it exists: bwrap cannot mount over a missing path.
  const hiddenPaths = await present(privateHostPaths());
  return { maskedFiles: await present(MASKED_FILES), maskedDirs: await present(MASKED_DIRS), extraReadOnly, hiddenPaths };
}
