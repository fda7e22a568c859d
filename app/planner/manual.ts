/** Plans the user pinned: --n-cpu-moe N, raw -ot patterns, or an n_gpu_layers no split can fit. */
import { assemble } from "./assemble";
import type { Env } from "./env";
import { evaluate } from "./evaluate";
import { tensorFootprint } from "./footprint";
import { compileOverrides, expertOverrides, matchesOverride, nCpuMoeOverrides } from "./overrides";
import { overrideRefusal } from "./refusal";
import { prefixN } from "./search";
import { layerLayout, type LayerLayout } from "./split";
import { isInputTensor, type PlannerTensor } from "./tensors";
import { CPU, type LoadPlan, type PlanRequest } from "./types";

/** User-given N and/or raw patterns: predict exactly those, and refuse with the auto plan's N if they do not fit. */
export function manualPlan(req: PlanRequest, env: Env): LoadPlan {
  const ov = req.override ?? {};
  const L = req.model.layers;
  const gpuLayers = env.gpus.length === 0 ? 0 : Math.min(ov.gpuLayers ?? L + 1, L + 1);
  const layout = layerLayout(L, gpuLayers, env.split);
  const compiled = compileOverrides(ov.patterns ?? []);
  const n = ov.nCpuMoe ?? 0;
  const onCpu = (t: PlannerTensor): boolean =>
    (t.isExpert && t.layer !== null && t.layer < n) || matchesOverride(t.name, compiled);
  const warnings = compiled
    .filter((o) => !req.model.tensors.some((t) => o.regex.test(t.name)))
    .map((o) => `override pattern ${o.pattern} matches no tensor`);
  const overrides = [...nCpuMoeOverrides(n), ...compiled.map((o) => ({ pattern: o.pattern, device: "CPU" as const }))];

  const fp = tensorFootprint(req.model, layout, onCpu, env.gpus.length, env.unified);
  const e = evaluate(env, fp, req.context);
  const label = compiled.length > 0 ? "With these override patterns" : `With --n-cpu-moe ${n}`;
  const refusal = e.fitsGpu && e.fitsRamHard ? null : overrideRefusal(req, env, e, label);
  const ramExperts = new Set(fp.cpuExpertLayers.filter((l) => layout.blocks[l] !== CPU));
  return assemble(req, env, {
    source: compiled.length > 0 ? "patterns" : "n-cpu-moe",
    gpuLayers,
    layout,
    onCpu,
    overrides,
    nCpuMoe: manualN(req.model.tensors, layout, onCpu, [...ramExperts]),
    refusal,
    warnings,
  }, L);
}

/** A manual placement equals --n-cpu-moe N when exactly the expert tensors of the first GPU blocks moved to RAM. */
function manualN(tensors: readonly PlannerTensor[], layout: LayerLayout, onCpu: (t: PlannerTensor) => boolean, ramExperts: number[]): number | null {
  const sorted = ramExperts.sort((a, b) => a - b);
  const expertBlocks = new Set(tensors.flatMap((t) => (t.isExpert && t.layer !== null ? [t.layer] : [])));
  const n = prefixN(sorted, layout, (l) => expertBlocks.has(l));
  if (n === null) return null;
  const set = new Set(sorted);
  for (const t of tensors) {
    if (isInputTensor(t)) continue;
    const home = t.layer === null ? layout.output : (layout.blocks[t.layer] ?? CPU);
    if (home === CPU) continue;
    const expected = t.isExpert && t.layer !== null && set.has(t.layer);
    if (onCpu(t) !== expected) return null;
  }
  return n;
}


/** A pinned n_gpu_layers that no expert split can fit: priced with every GPU block's experts in RAM. */
export function pinnedLayersRefusal(req: PlanRequest, env: Env, ngl: number): LoadPlan {
  const layout = layerLayout(req.model.layers, ngl, env.split);
  const gpuBlocks = layout.blocks.flatMap((d, l) => (d === CPU ? [] : [l]));
  const onCpu = (t: PlannerTensor): boolean => t.isExpert;
  const e = evaluate(env, tensorFootprint(req.model, layout, onCpu, env.gpus.length, env.unified), req.context);
  return assemble(req, env, {
    source: "gpu-layers",
    gpuLayers: ngl,
    layout,
    onCpu,
    overrides: expertOverrides(gpuBlocks),
    nCpuMoe: prefixN(gpuBlocks, layout),
    refusal: overrideRefusal(req, env, e, `With n_gpu_layers ${ngl}`),
    warnings: [],
  }, req.model.layers);
}
