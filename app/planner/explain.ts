/** The one-line explanation of a plan. */
import type { Evaluation } from "./evaluate";
import type { PlanMode, Refusal, SpeedEstimate } from "./types";
import { formatContext, formatGiB, formatTokPerSec, GiB } from "./units";

export interface ExplainInput {
  readonly layers: number;
  readonly mode: PlanMode;
  readonly gpuBlocks: number;
  /** GPU blocks whose experts are in RAM. */
  readonly ramExpertBlocks: number;
  /** GPU blocks whose attention projections are in RAM (their KV cache on the GPU); omitted → 0. */
  readonly ramAttentionBlocks?: number;
  readonly unified: boolean;
  readonly custom: boolean;
  readonly context: number;
  readonly evaluation: Evaluation;
  readonly swaps: boolean;
  readonly freeRamNeeded: number;
  readonly refusal: Refusal | null;
}

export function placementText(p: Pick<ExplainInput, "layers" | "mode" | "gpuBlocks" | "ramExpertBlocks" | "ramAttentionBlocks" | "unified">): string {
  const on = `${p.gpuBlocks}/${p.layers} layers on GPU${p.unified ? " (unified memory)" : ""}`;
  const attention = (p.ramAttentionBlocks ?? 0) > 0 ? `, attention of ${p.ramAttentionBlocks} of them in RAM` : "";
  switch (p.mode) {
    case "gpu":
      return on;
    case "expert-offload":
      return `${on}, experts of ${p.ramExpertBlocks} layers in RAM${attention}`;
    case "layer-offload":
      return p.ramExpertBlocks > 0
        ? `${on} (experts of ${p.ramExpertBlocks} of them in RAM${attention}), the rest on CPU`
        : `${on}, the rest on CPU`;
    case "cpu":
      return `CPU only (0/${p.layers} layers on GPU)`;
  }
}

/** "≤ 19 tok/s (15 at 32k)": the ceiling with an empty context, then with a full one. */
export function speedText(speed: SpeedEstimate, context: number): string {
  const { tokPerSecEmpty, tokPerSecAtContext } = speed;
  const at = formatTokPerSec(tokPerSecAtContext).replace(" tok/s", "");
  return `≤ ${formatTokPerSec(tokPerSecEmpty)} (${at} at ${formatContext(context)})`;
}

export function explain(p: ExplainInput): string {
  if (p.refusal) return `Does not fit: ${p.refusal.message}`;
  const e = p.evaluation;
  const vram = e.gpus.map((g) => g.total);
  const memory = p.unified
    ? `${formatGiB(e.gpus[0]?.total ?? 0)} of ${formatGiB(e.gpus[0]?.available ?? 0)} working set, ${formatGiB(e.ram.total)} RAM in all`
    : p.mode === "cpu"
      ? `${formatGiB(e.ram.total)} RAM`
      : `${vram.map((v) => (v / GiB).toFixed(1)).join(" + ")} GiB VRAM, ${formatGiB(e.ram.total)} RAM`;
  const swap = p.swaps ? ` — swaps: close apps to free ${formatGiB(p.freeRamNeeded)} of RAM` : "";
  return `${p.custom ? "Custom overrides: " : ""}${placementText(p)}: ${memory}, ${speedText(e.speed, p.context)}${swap}`;
}
