import { AppError } from "../../app/contract/errors";
import { resolveWorkspaceRoot } from "../agent/workspace";
import type { CallContext } from "../router/router";

/** Shows the desktop's folder dialog; resolves null when the user cancels. Electron's main process provides it. */
export type PickFolder = () => Promise<string | null>;

/**
 * The native folder dialog for a workspace: only for the desktop window's own IPC (a browser tab
 * on the headless host must not pop dialogs on the desktop; it types the path). The folder the
 * user picks is checked as a workspace at once, so a too-broad one is refused before a task starts.
 */
export async function pickWorkspace(pickFolder: PickFolder | undefined, context: CallContext): Promise<string | null> {
  if (context.transport !== "electron" || !pickFolder) {
    throw new AppError("bad_request", "The folder dialog is only available in the desktop app; type the folder's path.", { reason: "no_folder_dialog" });
  }
  const path = await pickFolder();
  return path === null ? null : resolveWorkspaceRoot(path);
}
