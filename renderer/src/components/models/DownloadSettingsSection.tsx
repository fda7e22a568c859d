import { useEffect, useId, useState } from "react";
import type { DownloadSettingsPatch, DownloadSettingsView } from "../../../../app/contract/downloads-api";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { toastError, useToastStore } from "../../stores/toast-store";

const MB = 1_000_000;

/** A number saved when the field loses focus; an empty field is NaN, which every caller refuses. */
function NumberSetting({ label, value, min, max, onCommit, testId }: {
  label: string;
  value: number;
  min: number;
  max?: number;
  onCommit: (value: number) => void;
  testId?: string;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        defaultValue={value}
        onBlur={(e) => onCommit(e.target.value.trim() === "" ? NaN : Number(e.target.value))}
        data-testid={testId}
      />
    </>
  );
}

/**
 * Where models come from and go, and how hard the downloader pulls: the Hub endpoint and token
 * (the token is write-only here), the models folder and extra folders a scan looks in,
 * connections per file, files in parallel and a bandwidth limit. Changes apply at once.
 */
export function DownloadSettingsSection() {
  const [view, setView] = useState<DownloadSettingsView | null>(null);
  const [token, setToken] = useState("");
  const [endpoint, setEndpoint] = useState("");
  const [scanDirs, setScanDirs] = useState("");
  const [modelsDir, setModelsDir] = useState("");
  const id = useId();

  const show = (next: DownloadSettingsView) => {
    setView(next);
    setEndpoint(next.hub.endpoint ?? "");
    setModelsDir(next.library.modelsDir);
    setScanDirs(next.library.scanDirs.join("\n"));
  };
  useEffect(() => {
    client()
      .call("downloads.settings", {})
      .then(show, (error: unknown) => toastError(`Could not load the download settings: ${errorMessage(error)}`));
  }, []);

  const save = async (patch: DownloadSettingsPatch, done = "Saved") => {
    try {
      show(await client().call("downloads.updateSettings", patch));
      useToastStore.getState().show({ kind: "info", text: done }, 2000);
    } catch (error) {
      toastError(`Could not save: ${errorMessage(error)}`);
    }
  };

  if (!view) return null;
  return (
    <section className="models-section download-settings" data-testid="download-settings" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Download settings</h2>
      <div className="settings-grid">
        <label htmlFor={`${id}-endpoint`}>Hub endpoint</label>
        <div className="row">
          <input id={`${id}-endpoint`} value={endpoint} placeholder={view.hub.effectiveEndpoint} spellCheck={false} onChange={(e) => setEndpoint(e.target.value)} />
          <button type="button" onClick={() => void save({ hub: { endpoint: endpoint.trim() || null } })}>
            Save
          </button>
        </div>
        <small className="muted">In use: {view.hub.effectiveEndpoint}. Empty: $HF_ENDPOINT, else huggingface.co.</small>

        <label htmlFor={`${id}-token`}>Access token (for gated repos)</label>
        <div className="row">
          <input id={`${id}-token`} type="password" autoComplete="off" value={token} placeholder={view.hub.hasToken ? "A token is set" : "hf_…"} onChange={(e) => setToken(e.target.value)} data-testid="hub-token" />
          <button type="button" data-testid="hub-token-save" disabled={token.trim() === ""} onClick={() => void save({ hub: { token: token.trim() } }, "Token saved").then(() => setToken(""))}>
            Save
          </button>
          {view.hub.hasToken && (
            <button type="button" onClick={() => void save({ hub: { token: null } }, "Token removed")}>
              Remove
            </button>
          )}
        </div>

        <label htmlFor={`${id}-dir`}>Models folder</label>
        <div className="row">
          <input id={`${id}-dir`} value={modelsDir} spellCheck={false} onChange={(e) => setModelsDir(e.target.value)} />
          <button type="button" disabled={modelsDir.trim() === ""} onClick={() => void save({ library: { modelsDir: modelsDir.trim() } })}>
            Save
          </button>
        </div>

        <label htmlFor={`${id}-scan`}>Also scan these folders (one per line: LM Studio's or llama.cpp's caches)</label>
        <div className="row">
          <textarea id={`${id}-scan`} rows={2} value={scanDirs} spellCheck={false} onChange={(e) => setScanDirs(e.target.value)} />
          <button type="button" onClick={() => void save({ library: { scanDirs: scanDirs.split("\n").map((d) => d.trim()).filter(Boolean) } })}>
            Save
          </button>
        </div>

        <NumberSetting
          label="Connections per file"
          value={view.downloads.connectionsPerFile}
          min={1}
          max={32}
          onCommit={(n) => Number.isInteger(n) && void save({ downloads: { connectionsPerFile: n } })}
          testId="connections-per-file"
        />
        <NumberSetting label="Files in parallel" value={view.downloads.parallelFiles} min={1} max={16} onCommit={(n) => Number.isInteger(n) && void save({ downloads: { parallelFiles: n } })} />
        <NumberSetting
          label="Bandwidth limit (MB/s, 0 = none)"
          value={view.downloads.bandwidthLimitBps / MB}
          min={0}
          onCommit={(n) => n >= 0 && void save({ downloads: { bandwidthLimitBps: n * MB } })}
        />
      </div>
    </section>
  );
}
