import type { Db } from "../../storage/database";
import { readSetting, writeSetting } from "../../storage/settings-table";

const KEY_PREFIX = "agent.mcpConsent:";
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Which content of a workspace's `.m2d/mcp.json` the user approved, by the sha256 of its bytes, keyed
 * by the workspace's real path. A file that changed in any byte is a new file: asked again. This is
 * Claude Code's rule for a project's `.mcp.json` (its servers need approval before first use), held
 * to the content rather than to server names, so an approved name cannot start a changed command.
 */
export class McpConsentStore {
  constructor(private readonly db: Db) {}

  approved(workspace: string): string | null {
    const value = readSetting(this.db, KEY_PREFIX + workspace) as { sha256?: unknown } | undefined;
    return typeof value?.sha256 === "string" && SHA256.test(value.sha256) ? value.sha256 : null;
  }

  isApproved(workspace: string, sha256: string): boolean {
    return this.approved(workspace) === sha256;
  }

  approve(workspace: string, sha256: string): void {
    writeSetting(this.db, KEY_PREFIX + workspace, { sha256, approvedAt: Date.now() });
  }

  revoke(workspace: string): void {
    writeSetting(this.db, KEY_PREFIX + workspace, {});
  }
}
