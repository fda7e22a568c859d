import type { LoadPlanView, PlanMemoryUse } from "../../../../app/contract";
import { formatBytes } from "./format";

const pct = (part: number, whole: number) => `${Math.max(0, Math.min(100, (part / whole) * 100)).toFixed(1)}%`;

/** Predicted use (weights, KV cache, compute) against what the device has free; the hatched end is the margin kept free. */
function MemoryBar({ kind, use }: { kind: "vram" | "ram"; use: PlanMemoryUse }) {
  const whole = Math.max(use.available, use.total, 1);
  const over = use.total > use.available - use.margin;
  const title = `${use.label}: weights ${formatBytes(use.weights)}, KV cache ${formatBytes(use.kvCache)}, compute ${formatBytes(use.compute)}; margin ${formatBytes(use.margin)}`;
  return (
    <div className={`memory-bar${over ? " over" : ""}`} data-testid={`memory-bar-${kind}`} title={title}>
      <span className="memory-bar-label">{kind === "vram" ? "VRAM" : "RAM"}</span>
      <div className="memory-bar-track" role="meter" aria-label={`${use.label} predicted use`} aria-valuemin={0} aria-valuemax={use.available} aria-valuenow={use.total}>
        <span className="seg weights" style={{ width: pct(use.weights, whole) }} />
        <span className="seg kv" style={{ width: pct(use.kvCache, whole) }} />
        <span className="seg compute" style={{ width: pct(use.compute, whole) }} />
        <span className="margin" style={{ left: pct(use.available - use.margin, whole), width: pct(use.margin, whole) }} />
      </div>
      <span className="memory-bar-value">
        {formatBytes(use.total)} / {formatBytes(use.available)} free
      </span>
    </div>
  );
}

/** One bar per GPU and one for RAM (on unified memory the GPU bar is the working set). */
export function MemoryBars({ plan }: { plan: LoadPlanView }) {
  return (
    <div className="memory-bars">
      {plan.gpus.length === 0 ? (
        <div className="memory-bar none" data-testid="memory-bar-vram">
          <span className="memory-bar-label">VRAM</span>
          <span className="muted">no GPU on this backend</span>
        </div>
      ) : (
        plan.gpus.map((gpu) => <MemoryBar key={gpu.label} kind="vram" use={gpu} />)
      )}
      <MemoryBar kind="ram" use={plan.ram} />
    </div>
  );
}
