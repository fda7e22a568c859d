import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { CHAT_SETTINGS_DEFAULTS, type SettingsPatch } from "../../../../app/chat/types";
import { familySampling, familyThinking, type ThinkingMode as ModelThinkingMode } from "../../../../app/family";
import { useChatStore } from "../../stores/chat-store";
import { useModelsStore } from "../../stores/models-store";
import { usePrefsStore, type ThinkingMode } from "../../stores/prefs-store";
import { useUiStore } from "../../stores/ui-store";
import { PresetsSection } from "./PresetsSection";

interface FieldProps {
  label: string;
  value: number | undefined;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  /** Empty is allowed and clears the value. */
  optional?: boolean;
  hint?: string;
  onCommit(value: number | null): void;
}

/** A number that is saved when it is left (blur or Enter), and follows the stored value otherwise. */
function NumberField({ label, value, min, max, step, integer, optional, hint, onCommit }: FieldProps) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(value === undefined ? "" : String(value));
  useEffect(() => {
    if (document.activeElement !== ref.current) setText(value === undefined ? "" : String(value));
  }, [value]);
  const commit = () => {
    if (text.trim() === "" && optional) return value === undefined ? undefined : onCommit(null);
    const n = Number(text);
    const valid = Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n)) && !(label === "Top P" && n === 0);
    if (!valid) return setText(value === undefined ? "" : String(value));
    if (n !== value) onCommit(n);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={ref}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        value={text}
        placeholder={optional ? "no limit" : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
      {hint && <small>{hint}</small>}
    </div>
  );
}

/** Per-conversation generation settings, saved through chat.updateSettings; plus how thinking is shown. */
export function SettingsPanel({ children }: { children?: ReactNode }) {
  const conversation = useChatStore((s) => s.conversation);
  const updateSettings = useChatStore((s) => s.updateSettings);
  const thinking = usePrefsStore((s) => s.thinking);
  const setThinking = usePrefsStore((s) => s.setThinking);
  const close = useUiStore((s) => s.toggleSettings);
  const settings = conversation?.settings;
  const [system, setSystem] = useState(settings?.systemPrompt ?? "");
  const systemRef = useRef<HTMLTextAreaElement>(null);
  const thinkingId = useId();
  // Shown only when the loaded model's family switches between thinking modes (ModelProtocol.thinking).
  const modelThinking = useModelsStore((s) => (s.loaded ? familyThinking(s.loaded.report.family) : undefined));
  // The loaded model's recommended sampling (registry data), MiniMax's shared one otherwise.
  const family = useModelsStore((s) => s.loaded?.report.family);
  const familyName = useModelsStore((s) => s.loaded?.report.familyName);
  const defaults = (family !== undefined ? familySampling(family) : undefined) ?? CHAT_SETTINGS_DEFAULTS;
  const defaultsOf = family !== undefined && family !== "unknown" ? familyName : "MiniMax";
  const modelThinkingId = useId();
  const systemId = useId();

  useEffect(() => {
    if (document.activeElement !== systemRef.current) setSystem(settings?.systemPrompt ?? "");
  }, [settings?.systemPrompt]);

  const save = (patch: SettingsPatch) => void updateSettings(patch);

  return (
    <aside className="settings-panel" aria-labelledby="settings-title" data-testid="settings-panel">
      <header>
        <h2 id="settings-title">Settings</h2>
        <button type="button" className="icon-button" onClick={close} aria-label="Close settings">
          ✕
        </button>
      </header>
      <div className="field">
        <label htmlFor={thinkingId}>Thinking</label>
        <select id={thinkingId} value={thinking} onChange={(e) => setThinking(e.target.value as ThinkingMode)} data-testid="thinking-mode">
          <option value="auto">Collapse when the answer starts</option>
          <option value="expand">Always expanded</option>
          <option value="hide">Hidden</option>
        </select>
      </div>
      {!settings ? (
        <p className="muted">Generation settings belong to a conversation: send a first message, then adjust them here.</p>
      ) : (
        <>
          <h3>This conversation</h3>
          <div className="field">
            <label htmlFor={systemId}>System prompt</label>
            <textarea
              id={systemId}
              ref={systemRef}
              rows={5}
              value={system}
              placeholder="You are a helpful assistant."
              onChange={(e) => setSystem(e.target.value)}
              onBlur={() => system !== (settings.systemPrompt ?? "") && save({ systemPrompt: system.trim() ? system : null })}
              data-testid="system-prompt"
            />
          </div>
          {modelThinking && (
            <div className="field">
              <label htmlFor={modelThinkingId}>Thinking mode</label>
              <select
                id={modelThinkingId}
                value={settings.thinking ?? ""}
                onChange={(e) => save({ thinking: e.target.value === "" ? null : (e.target.value as ModelThinkingMode) })}
                data-testid="model-thinking-mode"
              >
                <option value="">Model default ({modelThinking.defaultMode})</option>
                {modelThinking.modes.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode[0]?.toUpperCase()}
                    {mode.slice(1)}
                  </option>
                ))}
              </select>
              <small>Enabled: always reasons first. Adaptive: the model decides. Disabled: answers directly.</small>
            </div>
          )}
          <NumberField label="Temperature" value={settings.temperature} min={0} max={5} step={0.05} onCommit={(v) => v !== null && save({ temperature: v })} />
          <NumberField label="Top P" value={settings.topP} min={0} max={1} step={0.01} onCommit={(v) => v !== null && save({ topP: v })} />
          <NumberField label="Top K" value={settings.topK} min={0} max={1000} step={1} integer onCommit={(v) => v !== null && save({ topK: v })} />
          <NumberField label="Max tokens" value={settings.maxTokens} min={1} max={1_048_576} step={1} integer optional hint="Empty: until the model stops or the context is full." onCommit={(v) => save({ maxTokens: v })} />
          <button type="button" onClick={() => save({ temperature: defaults.temperature, topP: defaults.topP, topK: defaults.topK })} data-testid="reset-defaults">
            Reset to {defaultsOf} defaults ({defaults.temperature.toFixed(1)}, {defaults.topP}, {defaults.topK})
          </button>
        </>
      )}
      <PresetsSection settings={settings} />
      {children}
    </aside>
  );
}
