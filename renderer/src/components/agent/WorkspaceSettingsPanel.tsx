import { useEffect, useId, useState } from "react";
import type { WorkspaceSettings, WorkspaceSettingsPatch } from "../../../../app/contract/agent-api";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { toastError } from "../../stores/toast-store";
import { McpSettings } from "../mcp/McpSettings";
import { ModeSelect } from "./ModeSelect";

/** The workspace's stored settings, and a save that answers with the stored result. */
function useWorkspaceSettings(workspace: string) {
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null);
  useEffect(() => {
    let live = true;
    client()
      .call("agent.workspaceSettings", { workspace })
      .then((s) => live && setSettings(s))
      .catch((error: unknown) => toastError(`Could not load the workspace settings: ${errorMessage(error)}`));
    return () => void (live = false);
  }, [workspace]);
  const save = async (patch: WorkspaceSettingsPatch) => {
    try {
      setSettings(await client().call("agent.updateWorkspaceSettings", { workspace, patch }));
    } catch (error) {
      toastError(`Could not save the workspace settings: ${errorMessage(error)}`);
    }
  };
  return { settings, save };
}

/** Best-of-N's test command for this workspace, saved when the field loses focus or on Enter; empty: detect it. */
function TestCommandField({ value, onSave }: { value: string | null; onSave: (command: string | null) => void }) {
  const id = useId();
  const [draft, setDraft] = useState(value ?? "");
  useEffect(() => setDraft(value ?? ""), [value]);
  const commit = () => {
    const next = draft.trim() || null;
    if (next !== value) onSave(next);
  };
  return (
    <label htmlFor={id}>
      Test command for best-of-N attempts
      <input
        id={id}
        value={draft}
        placeholder="detected (npm test, pytest, make test…)"
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
        data-testid="ws-test-command"
      />
    </label>
  );
}

/** A removable list with an add field: allowed commands, fetch hosts. */
function EditableList({ label, items, placeholder, onChange, testId }: {
  label: string;
  items: readonly string[];
  placeholder: string;
  onChange: (items: string[]) => void;
  testId: string;
}) {
  const [draft, setDraft] = useState("");
  const id = useId();
  const add = () => {
    const value = draft.trim();
    if (value && !items.includes(value)) onChange([...items, value]);
    setDraft("");
  };
  return (
    <div className="editable-list" data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      <ul>
        {items.map((item) => (
          <li key={item}>
            <code>{item}</code>
            <button type="button" className="link-button" aria-label={`Remove ${item}`} onClick={() => onChange(items.filter((i) => i !== item))}>
              Remove
            </button>
          </li>
        ))}
        {items.length === 0 && <li className="muted">None</li>}
      </ul>
      <div className="editable-list-add">
        <input id={id} value={draft} placeholder={placeholder} spellCheck={false} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === "Enter" && add()} />
        <button type="button" onClick={add} disabled={draft.trim() === ""}>
          Add
        </button>
      </div>
    </div>
  );
}

/** The shares offered for compaction; the contract takes 30-95%. */
const COMPACT_SHARES = [0.6, 0.7, 0.8, 0.9] as const;

/**
 * What the agent may do in this workspace: the approval mode, the "always allow" lists, network for
 * commands, the unsandboxed opt-in, fetch_url and its hosts, and the MCP servers it gets.
 */
export function WorkspaceSettingsPanel({ workspace }: { workspace: string }) {
  const { settings, save } = useWorkspaceSettings(workspace);
  const id = useId();
  if (!settings) return null;
  return (
    <section className="workspace-settings" aria-labelledby={`${id}-title`} data-testid="workspace-settings">
      <h3 id={`${id}-title`}>Workspace</h3>
      <p className="muted">
        <code>{workspace}</code>
      </p>
      <label htmlFor={`${id}-mode`}>Approval mode</label>
      <ModeSelect id={`${id}-mode`} value={settings.mode} onChange={(mode) => void save({ mode })} />
      <EditableList
        label="Always allowed tools"
        items={settings.allowedTools}
        placeholder="write_file, mcp__server__*"
        onChange={(allowedTools) => void save({ allowedTools: allowedTools as WorkspaceSettings["allowedTools"] })}
        testId="allowed-tools"
      />
      <EditableList
        label="Always allowed commands"
        items={settings.allowedCommands}
        placeholder="npm test, npm run *"
        onChange={(allowedCommands) => void save({ allowedCommands })}
        testId="allowed-commands"
      />
      <label className="check">
        <input type="checkbox" checked={settings.network} onChange={(e) => void save({ network: e.target.checked })} data-testid="ws-network" />
        Commands may use the network
      </label>
      <label className="check">
        <input type="checkbox" checked={settings.allowUnsandboxed} onChange={(e) => void save({ allowUnsandboxed: e.target.checked })} data-testid="ws-unsandboxed" />
        Run commands without a sandbox where none exists
      </label>
      {settings.allowUnsandboxed && (
        <p className="warning" role="note">
          Without an OS sandbox a command can read and change anything your user account can. Every command still asks first
          unless you allowed it.
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={settings.fetch.enabled} onChange={(e) => void save({ fetch: { enabled: e.target.checked } })} data-testid="ws-fetch" />
        fetch_url is on
      </label>
      {settings.fetch.enabled && (
        <EditableList
          label="Hosts fetch_url may reach"
          items={settings.fetch.allowedHosts}
          placeholder="docs.python.org"
          onChange={(allowedHosts) => void save({ fetch: { allowedHosts } })}
          testId="fetch-hosts"
        />
      )}
      <label htmlFor={`${id}-compact`}>
        Compact the history when a step's prompt passes{" "}
        <select
          id={`${id}-compact`}
          value={settings.compactAt === null ? "off" : String(settings.compactAt)}
          onChange={(e) => void save({ compactAt: e.target.value === "off" ? null : Number(e.target.value) })}
          data-testid="ws-compact-at"
        >
          {COMPACT_SHARES.map((share) => (
            <option key={share} value={String(share)}>
              {Math.round(share * 100)}% of the context
            </option>
          ))}
          <option value="off">never (off)</option>
        </select>
      </label>
      <TestCommandField value={settings.testCommand} onSave={(testCommand) => void save({ testCommand })} />
      <McpSettings workspace={workspace} />
    </section>
  );
}
