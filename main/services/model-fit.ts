import { totalmem } from "node:os";
import { AppError, type BackendInfo } from "../../app/contract";
import type { Fit, FitVerdict } from "../../app/contract/downloads-api";
import { planLoad, type GpuInfo, type HostInfo, type LoadPlan, type PlannerModel } from "../../app/planner";
import { m2Model, m2NominalGB, type M2Quant } from "../../app/planner/m2-shapes";
import { siblingModel } from "../../app/planner/refusal";
import { inspectModel } from "../../node/gguf/report";
import { plannerModel } from "../../node/gguf/planner-model";

/** The context a fit verdict is judged at: enough for real work, well below M2's trained 196k. */
export const FIT_CONTEXT = 32_768;

/** The machine a verdict is for: its whole RAM (not what is free this second) and the GPUs the engine reported. */
export interface Machine {
  host: HostInfo;
  gpus: GpuInfo[];
}

export function thisMachine(gpus: GpuInfo[] = []): Machine {
  const ram = totalmem();
  return { host: { freeRam: ram, totalRam: ram }, gpus };
}

const VERDICT_RANK: Record<FitVerdict, number> = { gpu: 0, expert_offload: 1, ram: 2, no_fit: 3, unknown: 4 };

export function verdictOf(plan: LoadPlan): Fit {
  if (!plan.fits || plan.swaps) {
    return { verdict: "no_fit", detail: plan.refusal?.message ?? plan.warnings[0] ?? "Needs more memory than this machine has." };
  }
  const verdict: FitVerdict = plan.mode === "gpu" ? "gpu" : plan.mode === "cpu" ? "ram" : "expert_offload";
  return { verdict, detail: plan.explanation.split("\n")[0] ?? "" };
}

export function fitOf(model: PlannerModel, machine: Machine): Fit {
  try {
    return verdictOf(planLoad({ model, context: FIT_CONTEXT, gpus: machine.gpus, host: machine.host }));
  } catch (error) {
    return { verdict: "unknown", detail: AppError.from(error).message };
  }
}

/**
 * A not yet downloaded MiniMax-M2 quant: M2's real tensor table at the nearest reference quant,
 * scaled to the file's size on disk (what the planner does for sibling quants).
 */
export function catalogQuantFit(totalBytes: number | null, machine: Machine): Fit {
  if (totalBytes === null) return { verdict: "unknown", detail: "Size unknown until the Hub is looked up." };
  // A plan takes 20-450 ms (a refusal searches for what would fit); sizes and the machine rarely change.
  const key = `${totalBytes}|${machine.host.freeRam}|${machine.gpus.map((g) => `${g.name}:${g.freeVram}`).join(",")}`;
  const cached = fitCache.get(key);
  if (cached) return cached;
  const nearest = (Object.entries(m2NominalGB) as Array<[M2Quant, number]>).reduce((best, cur) =>
    Math.abs(cur[1] * 1e9 - totalBytes) < Math.abs(best[1] * 1e9 - totalBytes) ? cur : best,
  )[0];
  const reference = referenceModels.get(nearest) ?? m2Model(nearest);
  referenceModels.set(nearest, reference);
  const fit = fitOf(siblingModel(reference, { quant: "catalog", bytes: totalBytes }), machine);
  if (fitCache.size >= 1024) fitCache.clear();
  fitCache.set(key, fit);
  return fit;
}

const fitCache = new Map<string, Fit>();
const referenceModels = new Map<M2Quant, PlannerModel>();

/** A model on disk, planned from its own header. */
export async function fileFit(path: string, machine: Machine): Promise<Fit> {
  try {
    return fitOf(plannerModel(await inspectModel(path)), machine);
  } catch (error) {
    return { verdict: "unknown", detail: AppError.from(error).message };
  }
}

/** The best quant to get: the best verdict, and within it the largest file (the least quantization loss). */
export function recommendQuant<T extends { fit: Fit; totalBytes: number | null }>(quants: readonly T[]): T | undefined {
  const fitting = quants.filter((q) => q.totalBytes !== null && VERDICT_RANK[q.fit.verdict] <= VERDICT_RANK.ram);
  return fitting.sort((a, b) => VERDICT_RANK[a.fit.verdict] - VERDICT_RANK[b.fit.verdict] || (b.totalBytes ?? 0) - (a.totalBytes ?? 0))[0];
}

/** The GPU a backend reports; none when it runs on the CPU. */
export function gpusOf(backend: BackendInfo | null | undefined): GpuInfo[] {
  if (!backend || backend.vram.total <= 0) return [];
  return [{ name: backend.devices[0] ?? backend.backend, freeVram: backend.vram.total }];
}
