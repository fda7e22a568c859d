import { useEffect, useState } from "react";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { useAgentStore } from "../../stores/agent-store";
import { artifactSrcdoc } from "./artifact-srcdoc";

/**
 * An HTML page the agent wrote, shown in a frame sandboxed to scripts only: no allow-same-origin,
 * so it runs in an opaque origin with no access to the app, its storage or the backend; the
 * injected CSP forbids every network fetch. Chromium also applies the app's own CSP to a srcdoc
 * frame, and its `script-src 'self'` blocks the page's inline scripts: the preview shows markup
 * and styles (running scripts would need a document served from its own origin with its own CSP).
 */
export function ArtifactPreview({ path }: { path: string }) {
  const conversationId = useAgentStore((s) => s.conversationId);
  const [state, setState] = useState<{ html: string } | { error: string } | null>(null);

  useEffect(() => {
    if (!conversationId) return;
    let live = true;
    client()
      .call("agent.artifact", { conversationId, path })
      .then(
        ({ html }) => live && setState({ html: artifactSrcdoc(html) }),
        (error: unknown) => live && setState({ error: errorMessage(error) }),
      );
    return () => {
      live = false;
    };
  }, [conversationId, path]);

  if (!state) return <p className="muted">Loading the preview…</p>;
  if ("error" in state) return <p className="error">Cannot preview {path}: {state.error}</p>;
  return (
    <figure className="artifact-preview">
      <iframe className="artifact-frame" title={`Preview of ${path}`} sandbox="allow-scripts" srcDoc={state.html} data-testid="artifact-frame" />
      <figcaption className="muted">Sandboxed preview: no network, no access to the app; scripts do not run here.</figcaption>
    </figure>
  );
}
