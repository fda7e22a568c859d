import { access } from "node:fs/promises";
import { AppError } from "../../../app/contract/errors";
import { MASKED_DIRS, MASKED_FILES, type BwrapPlan } from "./bwrap-args";
import { privateHostPaths } from "./private-paths";
import { describeRefused, vetReadOnlyPaths } from "./read-only-paths";

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * What of the host a bubblewrap sandbox hides or shows beyond its fixed layout: the secret files
 * and folders that exist here (masked), and the extra read-only paths, by real path (a missing
 * one is skipped). The command runner and sandboxed MCP servers share it, so both mask the same.
 */
export async function hostMounts(readOnlyPaths: readonly string[]): Promise<Pick<BwrapPlan, "maskedFiles" | "maskedDirs" | "extraReadOnly" | "hiddenPaths">> {
  const present = async (paths: readonly string[]) => (await Promise.all(paths.map(async (p) => ((await exists(p)) ? p : null)))).filter((p) => p !== null);
  // A path the sandbox hides is refused, not shown again by a bind after the masks (read-only-paths.ts).
  const vetted = await vetReadOnlyPaths(readOnlyPaths);
  if (vetted.refused.length > 0) {
    throw new AppError("bad_request", `Not run: ${describeRefused(vetted.refused)}.`, { reason: "read_only_path_refused", refused: vetted.refused });
  }
  const extraReadOnly = vetted.paths;
  // The app's data dir is hidden only where it exists: bwrap cannot mount over a missing path.
  const hiddenPaths = await present(privateHostPaths());
  return { maskedFiles: await present(MASKED_FILES), maskedDirs: await present(MASKED_DIRS), extraReadOnly, hiddenPaths };
}
