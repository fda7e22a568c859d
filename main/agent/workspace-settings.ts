import { AppError } from "../../app/contract";
import { WorkspaceSettingsSchema, type WorkspaceSettings, type WorkspaceSettingsPatch } from "../../app/contract/agent-api";
import type { AgentToolName } from "../../app/agent/types";
import type { Db } from "../storage/database";
import { parseAllowPattern } from "../../app/agent/allow-entry";
import { readSetting, writeSetting } from "../storage/settings-table";

const KEY_PREFIX = "agent.workspace:";

/** Everything risky off: the defaults a workspace starts with. */
export const DEFAULT_WORKSPACE_SETTINGS: WorkspaceSettings = WorkspaceSettingsSchema.parse({});

/**
 * Per-workspace choices (mode, "always allow" lists, network, fetch hosts, unsandboxed opt-in),
 * keyed by the workspace's real path in the settings table. A corrupt row falls back to the
 * defaults rather than to anything more permissive.
 */
export class WorkspaceSettingsStore {
  constructor(private readonly db: Db) {}

  get(workspace: string): WorkspaceSettings {
    const parsed = WorkspaceSettingsSchema.safeParse(readSetting(this.db, KEY_PREFIX + workspace) ?? {});
    return parsed.success ? parsed.data : DEFAULT_WORKSPACE_SETTINGS;
  }

  update(workspace: string, patch: WorkspaceSettingsPatch): WorkspaceSettings {
    const current = this.get(workspace);
    const next = WorkspaceSettingsSchema.parse({ ...current, ...patch, fetch: { ...current.fetch, ...patch.fetch } });
    writeSetting(this.db, KEY_PREFIX + workspace, next);
    return next;
  }

  /** "Always allow" a tool in this workspace. */
  allowTool(workspace: string, tool: AgentToolName): WorkspaceSettings {
    const { allowedTools } = this.get(workspace);
    return allowedTools.includes(tool) ? this.get(workspace) : this.update(workspace, { allowedTools: [...allowedTools, tool] });
  }

  /**
   * "Always allow" commands: saves exactly these allowlist entries (the ones the approval showed,
   * from app/agent/always-allow.ts). Text that is not an entry is refused, never saved.
   */
  allowCommands(workspace: string, entries: readonly string[]): WorkspaceSettings {
    // Always allow never saves a wildcard (always-allow.ts): only a person typing it in settings does.
    const bad = entries.find((entry) => parseAllowPattern(entry)?.wildcard !== false);
    if (bad !== undefined || entries.length === 0) {
      throw new AppError("bad_request", `This is not a command allowlist entry: ${bad ?? "(none)"}`, { reason: "bad_allow_entry", entry: bad ?? null });
    }
    const { allowedCommands } = this.get(workspace);
    const added = [...new Set(entries)].filter((entry) => !allowedCommands.includes(entry));
    return added.length === 0 ? this.get(workspace) : this.update(workspace, { allowedCommands: [...allowedCommands, ...added] });
  }
}
