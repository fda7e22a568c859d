import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pickWorkspace } from "./workspace-picker";

// Electron's dialog cannot be opened here: a stand-in function plays the user picking a folder.
const folder = mkdtempSync(join(tmpdir(), "m2d-picker-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("workspace folder dialog (Electron's dialog replaced by a stand-in)", () => {
  it("returns the picked folder's real path, or null when cancelled", async () => {
    expect(await pickWorkspace(async () => folder, { transport: "electron" })).toBe(realpathSync(folder));
    expect(await pickWorkspace(async () => null, { transport: "electron" })).toBeNull();
  });

  it("is refused over the WebSocket and the CLI, and where no dialog exists", async () => {
    let opened = 0;
    const dialog = async () => (opened++, folder);
    for (const transport of ["websocket", "cli"] as const) {
      await expect(pickWorkspace(dialog, { transport })).rejects.toMatchObject({ code: "bad_request", details: { reason: "no_folder_dialog" } });
    }
    await expect(pickWorkspace(undefined, { transport: "electron" })).rejects.toMatchObject({ details: { reason: "no_folder_dialog" } });
    expect(opened).toBe(0);
  });

  it("refuses a folder too broad to be a workspace", async () => {
    await expect(pickWorkspace(async () => "/", { transport: "electron" })).rejects.toMatchObject({ details: { reason: "workspace_too_broad" } });
  });
});
