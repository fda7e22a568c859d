import { useEffect, useState } from "react";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { useAgentStore } from "../../stores/agent-store";
import { artifactSrcdoc } from "./artifact-srcdoc";

type Preview = { url: string } | { html: string } | { error: string };

/**
 * An HTML page the agent wrote, in a frame sandboxed to scripts only: no allow-same-origin, so it
 * runs in an opaque origin with no access to the app, its storage or the backend. Where the backend
 * serves artifacts from an origin of their own (the headless host, the Electron app), the page runs its scripts there
 * under a CSP that lets it load only its workspace's files and connect nowhere. Elsewhere it is a
 * srcdoc frame, which inherits the app's CSP: markup and styles, no scripts.
 */
export function ArtifactPreview({ path }: { path: string }) {
  const conversationId = useAgentStore((s) => s.conversationId);
  const [state, setState] = useState<Preview | null>(null);

  useEffect(() => {
    if (!conversationId) return;
    let live = true;
    const load = async (): Promise<Preview> => {
      const { url } = await client().call("agent.artifactUrl", { conversationId, path });
      if (url) return { url };
      const { html } = await client().call("agent.artifact", { conversationId, path });
      return { html: artifactSrcdoc(html) };
    };
    load().then(
      (preview) => live && setState(preview),
      (error: unknown) => live && setState({ error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [conversationId, path]);

  if (!state) return <p className="muted">Loading the preview…</p>;
  if ("error" in state) return <p className="error">Cannot preview {path}: {state.error}</p>;
  const frame = { className: "artifact-frame", title: `Preview of ${path}`, sandbox: "allow-scripts", "data-testid": "artifact-frame" };
  return (
    <figure className="artifact-preview">
      {"url" in state ? <iframe {...frame} src={state.url} /> : <iframe {...frame} srcDoc={state.html} />}
      <figcaption className="muted">
        {"url" in state ? "Sandboxed preview: its own origin, no network, no access to the app." : "Sandboxed preview: no network, no access to the app; scripts do not run here."}
      </figcaption>
    </figure>
  );
}
