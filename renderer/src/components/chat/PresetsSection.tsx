import { useEffect, useId, useState } from "react";
import type { ChatDefaults, ChatPreset } from "../../../../app/chat/presets";
import type { ChatSettings } from "../../../../app/chat/types";
import { AppError } from "../../../../app/contract/errors";
import { client } from "../../client/client-instance";
import { useChatStore } from "../../stores/chat-store";
import { useModelsStore } from "../../stores/models-store";

/**
 * App-wide chat defaults: the system prompt new conversations start with, and saved presets (system prompt, sampling,
 * context) that apply to the open conversation in one go.
 */
export function PresetsSection({ settings }: { settings: ChatSettings | undefined }) {
  const [defaults, setDefaults] = useState<ChatDefaults | null>(null);
  const [system, setSystem] = useState("");
  const [name, setName] = useState("");
  const [note, setNote] = useState<{ kind: "error" | "info"; text: string } | null>(null);
  const updateSettings = useChatStore((s) => s.updateSettings);
  const loadedContext = useModelsStore((s) => s.loaded?.contextSize ?? null);
  const systemId = useId();
  const nameId = useId();

  useEffect(() => {
    void client()
      .call("chat.defaults", {})
      .then((d) => {
        setDefaults(d);
        setSystem(d.systemPrompt ?? "");
      })
      .catch((error: unknown) => setNote({ kind: "error", text: AppError.from(error).message }));
  }, []);

  const store = async (next: ChatDefaults, done: string) => {
    try {
      const saved = await client().call("chat.saveDefaults", next);
      setDefaults(saved);
      setNote({ kind: "info", text: done });
    } catch (error) {
      setNote({ kind: "error", text: AppError.from(error).message });
    }
  };

  const apply = async (preset: ChatPreset) => {
    await updateSettings({
      systemPrompt: preset.systemPrompt ?? null,
      temperature: preset.temperature,
      topP: preset.topP,
      topK: preset.topK,
      maxTokens: preset.maxTokens ?? null,
    });
    const context =
      preset.contextSize !== undefined && preset.contextSize !== loadedContext
        ? ` It asks for ${preset.contextSize.toLocaleString("en-US")} tokens of context: reload the model with that from the model menu.`
        : "";
    setNote({ kind: "info", text: `Applied “${preset.name}”.${context}` });
  };

  if (!defaults) return note ? <p className="error">{note.text}</p> : null;
  const presets = defaults.presets;

  return (
    <section data-testid="chat-presets">
      <h3>Every new conversation</h3>
      <div className="field">
        <label htmlFor={systemId}>Default system prompt</label>
        <textarea id={systemId} rows={3} value={system} placeholder="None" onChange={(e) => setSystem(e.target.value)} data-testid="default-system-prompt" />
        <button type="button" onClick={() => void store({ ...defaults, systemPrompt: system }, system.trim() ? "New conversations start with this system prompt." : "New conversations start without a system prompt.")} data-testid="save-default-system-prompt">
          Save default
        </button>
      </div>
      <h3>Presets</h3>
      {presets.length === 0 && <p className="muted">No presets yet.</p>}
      <ul data-testid="preset-list">
        {presets.map((p) => (
          <li key={p.name} data-testid="preset">
            <strong>{p.name}</strong>{" "}
            <small className="muted">
              {p.temperature} · {p.topP} · {p.topK}
              {p.contextSize ? ` · ctx ${p.contextSize.toLocaleString("en-US")}` : ""}
            </small>{" "}
            <button type="button" disabled={!settings} onClick={() => void apply(p)} data-testid="preset-apply">
              Apply
            </button>{" "}
            <button type="button" onClick={() => void store({ ...defaults, presets: presets.filter((q) => q.name !== p.name) }, `Deleted “${p.name}”.`)} data-testid="preset-delete">
              Delete
            </button>
          </li>
        ))}
      </ul>
      {settings && (
        <div className="field">
          <label htmlFor={nameId}>Save this conversation&apos;s settings as a preset</label>
          <input id={nameId} type="text" value={name} maxLength={100} placeholder="Preset name" onChange={(e) => setName(e.target.value)} data-testid="preset-name" />
          <button
            type="button"
            disabled={!name.trim()}
            onClick={() => {
              const preset: ChatPreset = {
                name: name.trim(),
                ...(settings.systemPrompt ? { systemPrompt: settings.systemPrompt } : {}),
                temperature: settings.temperature,
                topP: settings.topP,
                topK: settings.topK,
                ...(settings.maxTokens ? { maxTokens: settings.maxTokens } : {}),
                ...(loadedContext ? { contextSize: loadedContext } : {}),
              };
              // Saving under an existing name replaces that preset.
              void store({ ...defaults, presets: [...presets.filter((q) => q.name !== preset.name), preset] }, `Saved “${preset.name}”.`).then(() => setName(""));
            }}
            data-testid="preset-save"
          >
            Save preset
          </button>
        </div>
      )}
      {note && (
        <p role={note.kind === "error" ? "alert" : "status"} className={note.kind === "error" ? "error" : "muted"} data-testid="presets-note">
          {note.text}
        </p>
      )}
    </section>
  );
}
