import { useState } from "react";
import { latestReloadOffer, reloadRequest } from "../../chat/context-reload";
import { formatInt } from "../../lib/format";
import { useChatStore } from "../../stores/chat-store";
import { useModelsStore } from "../../stores/models-store";
import { useStreamStore } from "../../stores/stream-store";

/** "The prompt is 5,400 tokens; the context holds 4,096. Reload with 8,192 tokens of context": reloads the model, then retries the answer. */
export function ContextReloadOffer() {
  const items = useChatStore((s) => s.items);
  const generationOf = useStreamStore((s) => s.generationOf);
  const answers = useStreamStore((s) => s.answers);
  const loaded = useModelsStore((s) => s.loaded);
  const [busy, setBusy] = useState(false);
  const offer = latestReloadOffer(items, generationOf, answers);
  if (!offer || !loaded) return null;
  const retry = async () => {
    setBusy(true);
    try {
      const { path, options } = reloadRequest(loaded, offer.reloadContext);
      await useModelsStore.getState().load(path, options);
      // A failed load shows its own error; retry only with the larger context in place.
      if ((useModelsStore.getState().loaded?.contextSize ?? 0) >= offer.reloadContext) await useChatStore.getState().regenerate(offer.messageId);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="notice banner context-reload" role="status" data-testid="context-reload">
      <span>
        The prompt is {formatInt(offer.promptTokens)} tokens; the context holds {formatInt(offer.contextSize)}.
      </span>{" "}
      <button type="button" className="primary" disabled={busy} onClick={() => void retry()} data-testid="context-reload-button">
        {busy ? "Reloading…" : `Reload with ${formatInt(offer.reloadContext)} tokens of context`}
      </button>
    </div>
  );
}
