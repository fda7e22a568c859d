import { useCallback, useEffect, useState } from "react";
import type { MethodParams, MethodResult } from "../../../../app/contract";
import { AppError, validationIssues } from "../../../../app/contract/errors";
import { mcpProblemDetails } from "../../../../app/contract/mcp-problem";
import { client } from "../../client/client-instance";

type Listing = MethodResult<"agent.mcpServers">;
type Consent = MethodResult<"agent.mcpConsent">;

/**
 * Shown as the empty editor's placeholder, never as its value: saving it is impossible, and even copied it starts a
 * local script of the user's own rather than fetching and installing a package.
 */
const EXAMPLE = `Example (not saved):
{
  "mcpServers": {
    "my-server": { "command": "node", "args": ["/path/to/my-mcp-server.js"], "sandboxed": true }
  }
}`;

/** Zod issues from a refused save, as "path: message" lines. */
function describeError(error: unknown): string {
  const app = AppError.from(error);
  const problem = mcpProblemDetails(app);
  // The backend's own check of the file, or the contract's check of the params.
  const issues = problem?.reason === "bad_mcp_config" ? problem.issues : validationIssues(app);
  if (!issues?.length) return app.message;
  return [app.message, ...issues.map((i) => `${i.path.join(".")}: ${i.message}`)].join("\n");
}

/**
 * The MCP servers the agent would start (app-level mcp.json, overridden by the workspace's), each with
 * its state and tools, and an editor for the app-level file. Mount it wherever agent settings live.
 */
export function McpSettings({ workspace }: { workspace?: string }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [consent, setConsent] = useState<Consent | null>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);

  const refresh = useCallback(async () => {
    setBusy(true);
    try {
      // The consent first: listing starts the servers that may start, so it can take a while.
      setConsent(workspace ? await client().call("agent.mcpConsent", { workspace }) : null);
      const result = await client().call("agent.mcpServers", workspace ? { workspace } : {});
      setListing(result);
      setText((current) => current || result.appConfigText || "");
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  }, [workspace]);

  useEffect(() => void refresh(), [refresh]);

  const save = async () => {
    if (text.trim() === "") {
      setMessage({ kind: "error", text: "Nothing to save: write a config first (the example in the box is only a placeholder)." });
      return;
    }
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch (error) {
      setMessage({ kind: "error", text: `Not valid JSON: ${(error as Error).message}` });
      return;
    }
    setBusy(true);
    try {
      // Typed only as JSON here: the backend validates every entry and names the bad ones.
      const { file } = await client().call("agent.saveMcpConfig", { config: config as MethodParams<"agent.saveMcpConfig">["config"] });
      setMessage({ kind: "info", text: `Saved ${file}.` });
      await refresh();
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  /** Approves exactly the content shown (its sha256): a file changed since is refused by the backend. */
  const decide = async (approve: boolean) => {
    if (!consent || !workspace) return;
    setBusy(true);
    try {
      setConsent(
        approve && consent.sha256
          ? await client().call("agent.approveWorkspaceMcp", { workspace, sha256: consent.sha256 })
          : await client().call("agent.revokeWorkspaceMcp", { workspace }),
      );
      await refresh();
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
      await refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel mcp-settings" aria-labelledby="mcp-title" data-testid="mcp-settings">
      <h2 id="mcp-title">MCP servers</h2>
      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} className={message.kind === "error" ? "error" : undefined} style={{ whiteSpace: "pre-wrap" }}>
          {message.text}
        </p>
      )}
      {listing?.problems.map((p) => (
        <p key={`${p.file}:${p.server ?? ""}`} className="error" data-testid="mcp-problem">
          {p.server ? `${p.server}: ` : ""}
          {p.message} <small>({p.file})</small>
        </p>
      ))}
      {consent?.sha256 && consent.servers.length > 0 && (
        <div className="mcp-consent" data-testid="mcp-consent" data-approved={consent.approved}>
          <p>
            <code>{consent.file}</code> comes with this folder.{" "}
            {consent.approved ? "You approved this content; its servers start with each run:" : "Its servers start only once you approve this exact content:"}
          </p>
          <ul>
            {consent.servers.map((s) => (
              <li key={s.name}>
                <strong>{s.name}</strong>
                {s.disabled ? " (disabled)" : ""}: <code style={{ whiteSpace: "pre-wrap" }}>{s.commandLine}</code>
              </li>
            ))}
          </ul>
          <p>
            <small>
              sha256 <code data-testid="mcp-consent-sha256">{consent.sha256}</code>. They run in the sandbox without network; any change to the file asks again.
            </small>
          </p>
          {consent.approved ? (
            <button type="button" disabled={busy} onClick={() => void decide(false)}>Revoke approval</button>
          ) : (
            <button type="button" disabled={busy} onClick={() => void decide(true)}>Approve these servers</button>
          )}
        </div>
      )}
      <ul data-testid="mcp-servers">
        {listing?.servers.map((s) => (
          <li key={s.name} data-testid="mcp-server" data-state={s.state}>
            <strong>{s.name}</strong> · {s.transport}
            {s.sandboxed ? " · sandboxed" : ""} · {s.source} · {s.state}
            {s.error && <div className="error">{s.error}</div>}
            {s.tools.length > 0 && <div>{s.tools.map((t) => t.name).join(", ")}</div>}
          </li>
        ))}
      </ul>
      <label htmlFor="mcp-config">
        App-level config{listing ? <> (<code>{listing.appConfigFile}</code>)</> : null}
      </label>
      <textarea id="mcp-config" rows={12} spellCheck={false} value={text} placeholder={EXAMPLE} onChange={(e) => setText(e.target.value)} style={{ fontFamily: "monospace", width: "100%" }} />
      <div>
        <button type="button" disabled={busy} onClick={() => void save()}>Save</button>{" "}
        <button type="button" disabled={busy} onClick={() => void refresh()}>Refresh</button>
      </div>
    </section>
  );
}
