/** planLoad: the fastest placement that fits, or a refusal that says what would. */
import { AppError } from "../contract/errors";
import { assemble } from "./assemble";
import { resolveEnv } from "./env";
import { manualPlan, pinnedLayersRefusal } from "./manual";
import { attentionOverrides, expertOverrides } from "./overrides";
import { refuse } from "./refusal";
import { candidateNCpuMoe, ramAttentionBlocks, ramExpertBlocks, search } from "./search";
import { isAttentionProjection, type PlannerTensor } from "./tensors";
import { type LoadPlan, type PlanRequest, type TensorBufferOverride } from "./types";
import { validate } from "./validate";

/** Plans a load. Returns `fits: false` with a refusal when nothing fits; throws AppError on invalid input. */
export function planLoad(req: PlanRequest): LoadPlan {
  validate(req);
  const env = resolveEnv(req);
  const ov = req.override ?? {};
  if ((ov.patterns?.length ?? 0) > 0 || ov.nCpuMoe !== undefined) return manualPlan(req, env);

  const r = search(env, req.context, ov.gpuLayers);
  const L = req.model.layers;
  if (ov.gpuLayers !== undefined && env.gpus.length > 0) {
    const ngl = Math.min(ov.gpuLayers, L + 1);
    if (r.env !== env || r.leastRam.gpuLayers !== ngl) return pinnedLayersRefusal(req, env, ngl);
  }
  const chosen = r.best ?? r.leastRam;
  const onCpu = (t: PlannerTensor): boolean =>
    t.layer !== null && (t.isExpert ? chosen.cpuExperts[t.layer] === true : chosen.cpuAttention[t.layer] === true && isAttentionProjection(t.name));
  const refusal = r.best ? null : refuse(req, r.env, r.leastRam.evaluation, req.context);
  const warnings =
    r.env === env
      ? []
      : [`the GPU${env.gpus.length > 1 ? "s have" : " has"} too little free VRAM even for llama.cpp's compute buffers: load on the CPU backend`];
  return assemble(req, r.env, {
    source: ov.gpuLayers !== undefined ? "gpu-layers" : "auto",
    gpuLayers: chosen.gpuLayers,
    layout: chosen.layout,
    onCpu,
    overrides: [...expertOverrides(ramExpertBlocks(chosen)), ...attentionOverrides(ramAttentionBlocks(chosen))],
    nCpuMoe: candidateNCpuMoe(chosen),
    refusal,
    warnings,
  }, L);
}

/** Throws the plan's refusal as an AppError (for callers that must not load a plan that does not fit). */
export function requireFit(plan: LoadPlan): LoadPlan {
  if (plan.fits) return plan;
  throw new AppError("bad_request", plan.refusal?.message ?? plan.explanation, { suggestions: plan.refusal?.suggestions ?? [] });
}

export function tensorBufferOverrides(plan: LoadPlan): TensorBufferOverride[] {
  return [...plan.overrides];
}

/** N for `--n-cpu-moe N` with `--n-gpu-layers plan.gpuLayers`, or null when the plan has no such form. */
export function nCpuMoeEquivalent(plan: LoadPlan): number | null {
  return plan.nCpuMoe;
}
