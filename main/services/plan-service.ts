import { planLoad, type GpuInfo, type HostInfo, type LoadPlan, type PlanOverride } from "../../app/planner";
import { inspectModel, type ModelReport } from "../../node/gguf/report";
import { plannerModel } from "../../node/gguf/planner-model";
import { systemMemory } from "../../node/system/memory";

export interface PlanOptions {
  context: number;
  /** Explicit machine, for planning another box; else this machine's RAM and the given GPUs. */
  gpus?: GpuInfo[];
  host?: HostInfo;
  override?: PlanOverride;
}

export async function planModel(path: string, options: PlanOptions): Promise<{ plan: LoadPlan; report: ModelReport }> {
  const report = await inspectModel(path);
  const plan = planLoad({
    model: plannerModel(report),
    context: options.context,
    gpus: options.gpus ?? [],
    host: options.host ?? hostMemory(),
    ...(options.override ? { override: options.override } : {}),
  });
  return { plan, report };
}

function hostMemory(): HostInfo {
  const memory = systemMemory();
  return { freeRam: memory.available, totalRam: memory.total };
}
