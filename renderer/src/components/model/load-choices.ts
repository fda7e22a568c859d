import type { OffloadChoice, PlanParams } from "../../../../app/contract";

const GiB = 1024 ** 3;

/** What the load dialog lets the user pick beyond the path and backend. */
export interface PlanChoices {
  /** Experts of the first N layers in RAM; null: the planner picks. */
  cpuMoe: number | null;
  /** Advanced: raw override patterns, one per line (`regex` or `regex=CPU`). */
  patterns: string;
  /** Plan for another machine: free GPU memory and RAM in GiB, as typed. */
  whatIf: { vram: string; ram: string } | null;
}

export const AUTO_CHOICES: PlanChoices = { cpuMoe: null, patterns: "", whatIf: null };

export function offloadChoice(choices: PlanChoices): OffloadChoice {
  const patterns = choices.patterns
    .split("\n")
    .map((line) => line.trim().replace(/=cpu$/i, ""))
    .filter((line) => line !== "");
  if (patterns.length > 0) return { mode: "patterns", patterns: patterns.map((pattern) => ({ pattern, device: "cpu" })) };
  if (choices.cpuMoe !== null) return { mode: "cpu-moe", layers: choices.cpuMoe };
  return { mode: "auto" };
}

/** Context as typed, when it is a size the engine accepts. */
export function contextSize(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== "" && Number.isInteger(n) && n >= 256 ? n : undefined;
}

function gib(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) && n >= 0 ? n * GiB : undefined;
}

export function planParams(path: string, gpu: PlanParams["gpu"], context: string, choices: PlanChoices): PlanParams {
  const ctx = contextSize(context);
  const vram = choices.whatIf ? gib(choices.whatIf.vram) : undefined;
  const ram = choices.whatIf ? gib(choices.whatIf.ram) : undefined;
  return {
    path,
    gpu,
    offload: offloadChoice(choices),
    ...(ctx !== undefined ? { contextSize: ctx } : {}),
    ...(vram !== undefined && ram !== undefined ? { machine: { gpuVram: vram, ram } } : {}),
  };
}
