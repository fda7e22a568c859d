import { useBackendStore } from "../stores/backend-store";
import { useChatStore } from "../stores/chat-store";
import { useModelsStore } from "../stores/models-store";
import { promptProgressLabel } from "../chat/live-answer";
import { useLiveAnswer } from "../stores/stream-store";
import { engineLabel } from "./engine-label";
import { memoryLabel, ramLabel } from "./model/format";
import { formatInt } from "../lib/format";

/** TTFT and speed of the last answer on screen: live stats while it streams, stored ones after. */
function LastAnswerStats() {
  const last = useChatStore((s) => s.items.findLast((i) => i.message.role === "assistant")?.message);
  const live = useLiveAnswer(last?.id ?? "");
  const stats = live?.stats
    ? { ttftMs: live.stats.ttftMs, tps: live.stats.decodeTokensPerSecond }
    : last?.stats
      ? { ttftMs: last.stats.ttftMs, tps: last.stats.decodeTps }
      : null;
  const progress = promptProgressLabel(live);
  if (progress) return <span data-testid="prompt-progress">{progress}</span>;
  if (!stats) return null;
  return (
    <span data-testid="answer-stats">
      TTFT {stats.ttftMs < 1000 ? `${Math.round(stats.ttftMs)} ms` : `${(stats.ttftMs / 1000).toFixed(1)} s`} · {stats.tps.toFixed(1)} tok/s
    </span>
  );
}

export function StatusBar() {
  const connection = useBackendStore((s) => s.connection);
  const engine = useBackendStore((s) => s.engine);
  const restartsSeen = useBackendStore((s) => s.restartsSeen);
  const loaded = useModelsStore((s) => s.loaded);
  const memory = useModelsStore((s) => s.memory);
  return (
    <footer className="status-bar" role="status" aria-live="polite">
      <span data-testid="connection-status" className={`dot dot-${connection}`}>
        Backend: {connection === "open" ? "connected" : connection}
      </span>
      <span data-testid="engine-status">{engineLabel(engine)}</span>
      {restartsSeen > 0 && (
        <span data-testid="engine-restarted" className="notice">
          Engine restarted ({restartsSeen}×)
        </span>
      )}
      {loaded && (
        <>
          <span data-testid="model-backend">{loaded.backend.backend}</span>
          {loaded.offload && (
            <span data-testid="model-split" className={loaded.offload.fallbackReason ? "notice" : undefined} title={loaded.offload.fallbackReason ?? loaded.offload.explanation}>
              {loaded.offload.split}
            </span>
          )}
          {loaded.backend.vram.total > 0 && <span data-testid="model-memory">{memoryLabel(loaded)}</span>}
          <span data-testid="model-context">ctx {formatInt(loaded.contextSize)}</span>
        </>
      )}
      {memory && (
        <span data-testid="system-memory" data-used={Math.max(0, memory.total - memory.available)} title="In use by all programs; page cache counts as available">
          {ramLabel(memory)}
        </span>
      )}
      <span className="spacer" />
      <LastAnswerStats />
    </footer>
  );
}
