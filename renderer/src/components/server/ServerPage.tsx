import { useEffect, useId, useState } from "react";
import type { ApiRequestEntry, ApiServerStatus } from "../../../../app/contract/server-api";
import { copyText } from "../../lib/clipboard";
import { useServerStore } from "../../stores/server-store";
import { toastError, useToastStore } from "../../stores/toast-store";
import { useModelsStore } from "../../stores/models-store";
import { clientSnippets, maskKey, snippetModel } from "./snippets";

async function copy(text: string, what: string): Promise<void> {
  if (await copyText(text)) useToastStore.getState().show({ kind: "info", text: `${what} copied` }, 2000);
  else toastError(`Could not copy the ${what.toLowerCase()}: the clipboard refused it.`);
}

const API_LABEL: Record<ApiRequestEntry["endpoint"], string> = {
  "chat.completions": "Chat Completions",
  responses: "Responses",
  messages: "Messages",
  count_tokens: "Count tokens",
  models: "Models",
  other: "Other",
};

const count = (n: number | null) => (n === null ? "–" : String(n));

function StatusLine({ status }: { status: ApiServerStatus }) {
  if (status.state === "listening") {
    return (
      <p className="server-status ok" data-testid="server-status">
        Listening at <code data-testid="server-url">{status.baseUrl}</code>
        {status.lanUrls.length > 0 && <> · on the LAN: {status.lanUrls.map((u) => <code key={u}>{u} </code>)}</>}
      </p>
    );
  }
  if (status.state === "failed") {
    return (
      <p className="server-status error" role="alert" data-testid="server-status">
        Not listening: <span data-testid="server-error">{status.error?.message}</span>
      </p>
    );
  }
  return (
    <p className="server-status muted" data-testid="server-status">
      Off. Turn it on to serve the OpenAI- and Anthropic-compatible API.
    </p>
  );
}

function RequestRow({ entry }: { entry: ApiRequestEntry }) {
  const cancel = useServerStore((s) => s.cancel);
  return (
    <tr data-testid="server-request" data-state={entry.state}>
      <td>{new Date(entry.startedAt).toLocaleTimeString()}</td>
      <td>{API_LABEL[entry.endpoint]}{entry.stream ? " (stream)" : ""}</td>
      <td className="model-cell">{entry.model ?? "–"}</td>
      <td>{count(entry.promptTokens)}</td>
      <td>{count(entry.cachedTokens)}</td>
      <td>{count(entry.generatedTokens)}</td>
      <td>{entry.tokensPerSecond === null ? "–" : entry.tokensPerSecond.toFixed(1)}</td>
      <td data-testid="server-request-status" title={entry.error ?? undefined}>
        {entry.state === "running" ? "running" : `${entry.status ?? ""} ${entry.state === "done" ? "" : entry.state}`.trim()}
      </td>
      <td>
        {entry.state === "running" && (
          <button type="button" onClick={() => void cancel(entry.id)} data-testid="server-request-cancel">
            Cancel
          </button>
        )}
      </td>
    </tr>
  );
}

/**
 * The local API server: on/off, port, bind, the key (masked, copy, regenerate), its status, copy-paste setups
 * for Claude Code, Codex CLI, opencode and the SDKs, and the live request log.
 */
export function ServerPage() {
  const status = useServerStore((s) => s.status);
  const requests = useServerStore((s) => s.requests);
  const saving = useServerStore((s) => s.saving);
  const { update, regenerateKey } = useServerStore.getState();
  const [revealed, setRevealed] = useState(false);
  const [port, setPort] = useState("");
  const id = useId();
  // The loaded model the snippets name.
  const family = useModelsStore((s) => s.loaded?.report.family);
  const familyName = useModelsStore((s) => s.loaded?.report.familyName);

  useEffect(() => {
    const stop = useServerStore.getState().start();
    void useServerStore.getState().refresh();
    return stop;
  }, []);
  // The field follows the saved port (after a save, or a change from another window).
  const savedPort = status?.settings.port;
  useEffect(() => {
    if (savedPort !== undefined) setPort(String(savedPort));
  }, [savedPort]);

  if (!status) return <div className="server-page" data-testid="server-page" />;
  const { settings, key } = status;
  const portNumber = Number(port);
  const portValid = port.trim() !== "" && Number.isInteger(portNumber) && portNumber >= 0 && portNumber <= 65535;
  const baseUrl = status.baseUrl ?? `http://127.0.0.1:${settings.port || 1234}/v1`;
  const shownKey = revealed ? key : maskKey(key);
  const model = snippetModel(family, familyName);

  return (
    <div className="server-page models-page" data-testid="server-page">
      <h1 className="visually-hidden">API server</h1>
      <section className="models-section">
        <h2>Local API server</h2>
        <StatusLine status={status} />
        <div className="settings-grid">
          <label className="row">
            <input type="checkbox" checked={settings.enabled} disabled={saving} onChange={(e) => void update({ enabled: e.target.checked })} data-testid="server-enabled" />
            Serve the API (starts with the app)
          </label>

          <label htmlFor={`${id}-port`}>Port (0: any free port)</label>
          <div className="row">
            <input id={`${id}-port`} type="number" min={0} max={65535} value={port} onChange={(e) => setPort(e.target.value)} data-testid="server-port" />
            <button type="button" disabled={!portValid || portNumber === settings.port || saving} onClick={() => void update({ port: portNumber })} data-testid="server-port-save">
              Save
            </button>
          </div>

          <fieldset className="server-bind">
            <legend>Listen on</legend>
            <label>
              <input type="radio" name={`${id}-bind`} checked={settings.bind === "loopback"} onChange={() => void update({ bind: "loopback" })} data-testid="server-bind-loopback" />
              This computer only (127.0.0.1)
            </label>
            <label>
              <input type="radio" name={`${id}-bind`} checked={settings.bind === "lan"} onChange={() => void update({ bind: "lan" })} data-testid="server-bind-lan" />
              The local network too
            </label>
            {settings.bind === "lan" && (
              <p className="warning" role="note" data-testid="server-lan-warning">
                Other machines on your network can reach the server. They still need the key, but traffic is plain HTTP: use it on
                networks you trust only.
              </p>
            )}
          </fieldset>

          <span>API key (required on every request)</span>
          <div className="row">
            <code className="server-key" data-testid="server-key">
              {shownKey}
            </code>
            <button type="button" onClick={() => setRevealed(!revealed)} data-testid="server-key-reveal">
              {revealed ? "Hide" : "Show"}
            </button>
            <button type="button" onClick={() => void copy(key, "Key")} data-testid="server-key-copy">
              Copy
            </button>
            <button
              type="button"
              onClick={() => void regenerateKey().then((done) => done && useToastStore.getState().show({ kind: "info", text: "New key: the old one no longer works" }, 3000))}
              data-testid="server-key-regenerate"
            >
              Regenerate
            </button>
          </div>
          {status.keySource === "override" && <small className="muted">Set for this run by M2D_API_KEY or --api-key; regenerating replaces it.</small>}
        </div>
      </section>

      <section className="models-section">
        <h2>Use it from</h2>
        <p className="muted">Any model name answers with the loaded model; a library model's name loads it first.</p>
        {clientSnippets(baseUrl, shownKey, model).map((snippet, index) => (
          <div className="server-snippet" key={snippet.id}>
            <div className="section-head">
              <h3>
                {snippet.title} <small className="muted">{snippet.where}</small>
              </h3>
              <button type="button" onClick={() => void copy(clientSnippets(baseUrl, key, model)[index]!.text, snippet.title)} data-testid={`snippet-copy-${snippet.id}`}>
                Copy
              </button>
            </div>
            <pre data-testid={`snippet-${snippet.id}`}>{snippet.text}</pre>
          </div>
        ))}
      </section>

      <section className="models-section">
        <h2>Requests</h2>
        {requests.length === 0 ? (
          <p className="muted" data-testid="server-requests-empty">
            No requests yet.
          </p>
        ) : (
          <table className="server-requests" data-testid="server-requests">
            <thead>
              <tr>
                <th>Time</th>
                <th>API</th>
                <th>Model</th>
                <th>Prompt</th>
                <th>Cached</th>
                <th>Generated</th>
                <th>tok/s</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {[...requests].reverse().map((entry) => (
                <RequestRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
