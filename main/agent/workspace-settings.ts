import { AppError } from "../../app/contract";
import { WorkspaceSettingsSchema, type WorkspaceSettings, type WorkspaceSettingsPatch } from "../../app/contract/agent-api";
import type { AgentToolName } from "../../app/agent/types";
import type { Db } from "../storage/database";
import { analyzeCommand } from "./shell/analyze";
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
   * "Always allow" a command: each simple command of it becomes its own entry, so a later
   * chain is allowed only if every part was. A command the parser cannot vouch for is refused.
   */
  async allowCommand(workspace: string, command: string): Promise<WorkspaceSettings> {
    const analysis = await analyzeCommand(command);
    if (!analysis.ok) {
      throw new AppError("bad_request", `This command cannot be always allowed: it uses ${analysis.reason}.`, { command });
    }
    const { allowedCommands } = this.get(workspace);
    const added = analysis.commands.map((c) => c.source.trim()).filter((c) => c !== "" && !allowedCommands.includes(c));
    return added.length === 0 ? this.get(workspace) : this.update(workspace, { allowedCommands: [...allowedCommands, ...new Set(added)] });
  }
}
