import { useState } from "react";
import { reloadRequest } from "../../chat/context-reload";
import { formatInt } from "../../lib/format";
import { useAgentStore } from "../../stores/agent-store";
import { useModelsStore } from "../../stores/models-store";

/**
 * A run that ended because one step no longer fits the context (compacting cannot make room): the planner's larger
 * context, as a chat's overflow offers it; the reload is followed by a resume from the last completed step.
 */
export function AgentReloadOffer() {
  const overflow = useAgentStore((s) => s.stopped?.overflow);
  const loaded = useModelsStore((s) => s.loaded);
  const [busy, setBusy] = useState(false);
  const reloadContext = overflow?.reloadContext;
  if (!overflow || typeof reloadContext !== "number" || !loaded) return null;
  const reload = async () => {
    setBusy(true);
    try {
      const { path, options } = reloadRequest(loaded, reloadContext);
      await useModelsStore.getState().load(path, options);
      // A failed load shows its own error; resume only with the larger context in place.
      if ((useModelsStore.getState().loaded?.contextSize ?? 0) >= reloadContext) await useAgentStore.getState().resume();
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="primary" disabled={busy} onClick={() => void reload()} data-testid="agent-context-reload">
      {busy ? "Reloading…" : `Reload with ${formatInt(reloadContext)} tokens of context and resume`}
    </button>
  );
}
