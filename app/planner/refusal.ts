/** When nothing fits: say why, and what would (shorter context, smaller KV cache or quant, closing apps). */
import { MIN_USEFUL_CONTEXT, CONTEXT_PAD } from "./constants";
import { resolveEnv, type Env } from "./env";
import type { Evaluation } from "./evaluate";
import { candidateNCpuMoe, ramExpertBlocks, search } from "./search";
import { type KvCacheType, type PlannerModel, type PlanRequest, type Refusal, type SiblingQuant, type Suggestion } from "./types";
import { formatContext, formatGiB, formatInt, formatTokPerSec, GB } from "./units";

const modelBytes = (m: PlannerModel): number => m.tensors.reduce((a, t) => a + t.bytes, 0);

/** A sibling quant as a model: its own tensors, or the current ones scaled to its file size. */
export function siblingModel(model: PlannerModel, s: SiblingQuant): PlannerModel {
  if (s.tensors) return { ...model, quant: s.quant, tensors: s.tensors };
  const f = s.bytes / modelBytes(model);
  return { ...model, quant: s.quant, tensors: model.tensors.map((t) => ({ ...t, bytes: Math.round(t.bytes * f) })) };
}

/** Longest context (multiple of 256, below `context`) at which some placement fits; 0 if none does. */
export function maxFittingContext(env: Env, context: number): number {
  let lo = 0;
  let hi = Math.floor((Math.min(context, env.maxContext + CONTEXT_PAD) - 1) / CONTEXT_PAD);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (search(env, mid * CONTEXT_PAD).best) lo = mid;
    else hi = mid - 1;
  }
  return lo * CONTEXT_PAD;
}

/** RAM to free so the least-RAM placement fits without swapping. */
export function ramShortfall(env: Env, e: Evaluation): number {
  return Math.max(0, e.ram.total - (env.freeRam - env.ramReserve));
}

function why(env: Env, e: Evaluation, name: string, context: number): string {
  const gpu = e.gpus.findIndex((g) => g.total > g.available - g.margin);
  const g = e.gpus[gpu];
  if (g) return `${name} at ${formatContext(context)} context needs ${formatGiB(g.total)} on ${g.label}, which has ${formatGiB(g.available - g.margin)} to give`;
  const gpuPart = env.unified || e.gpus.length === 0 ? "" : ` with the GPU${e.gpus.length > 1 ? "s" : ""} full`;
  return `${name} at ${formatContext(context)} context needs ${formatGiB(e.ram.total)} of RAM${gpuPart}; ${formatGiB(env.freeRam)} is free (${formatGiB(Math.max(0, env.freeRam - env.ramReserve))} after the ${formatGiB(env.ramReserve)} reserve)`;
}

export function refuse(req: PlanRequest, env: Env, leastRam: Evaluation, context: number): Refusal {
  const name = `${req.model.name ?? "model"}${req.model.quant ? ` ${req.model.quant}` : ""}`;
  const suggestions: Suggestion[] = [];

  const maxContext = maxFittingContext(env, context);
  if (maxContext >= MIN_USEFUL_CONTEXT) {
    suggestions.push({ kind: "context", maxContext, text: `context ≤ ${formatInt(maxContext)}` });
  }

  const kvTypes: readonly KvCacheType[] = ["q8_0", "q4_0"];
  for (const kvType of kvTypes.slice(env.kvType === "f16" ? 0 : env.kvType === "q8_0" ? 1 : 2)) {
    const r = search({ ...env, kvType }, context);
    if (r.best) {
      suggestions.push({ kind: "kv-type", kvType, text: `KV cache ${kvType}` });
      break;
    }
  }

  const current = modelBytes(req.model);
  for (const s of [...(req.siblings ?? [])].filter((s) => s.bytes < current).sort((a, b) => b.bytes - a.bytes)) {
    const r = search(resolveEnv({ ...req, kvType: env.kvType }, siblingModel(req.model, s)), context);
    if (!r.best) continue;
    const tokPerSec = r.best.evaluation.speed.tokPerSecEmpty;
    suggestions.push({ kind: "quant", quant: s.quant, bytes: s.bytes, tokPerSec, text: `${s.quant} (${Math.round(s.bytes / GB)} GB, ≤ ${formatTokPerSec(tokPerSec)})` });
  }

  const short = ramShortfall(env, leastRam);
  const othersUse = env.totalRam === undefined ? Number.POSITIVE_INFINITY : env.totalRam - env.freeRam;
  if (short > 0 && short <= othersUse) {
    suggestions.push({ kind: "free-ram", bytes: short, text: `close apps to free ${formatGiB(short)} of RAM` });
  }

  const reason = why(env, leastRam, name, context);
  const beyond = short > othersUse ? `; that is ${formatGiB(short - othersUse)} more than closing apps could free` : "";
  const fix = suggestions.length > 0 ? `. Would fit: ${suggestions.map((s) => s.text).join("; or ")}` : ". Nothing smaller was offered that fits";
  return { message: `${reason}${beyond}${fix}.`, suggestions };
}

/** A user override that does not fit: say by how much, and offer the automatic plan (or the usual suggestions). */
export function overrideRefusal(req: PlanRequest, env: Env, e: Evaluation, label: string): Refusal {
  const g = e.gpus.find((x) => x.total > x.available - x.margin);
  const reason = g
    ? `${label}: needs ${formatGiB(g.total)} on ${g.label}, which has ${formatGiB(g.available - g.margin)} to give`
    : `${label}: needs ${formatGiB(e.ram.total)} of RAM, ${formatGiB(env.freeRam)} is free`;
  const auto = search(env, req.context);
  if (!auto.best) {
    const r = refuse(req, env, auto.leastRam.evaluation, req.context);
    return { message: `${reason}. ${r.message}`, suggestions: r.suggestions };
  }
  const b = auto.best;
  const ram = ramExpertBlocks(b);
  const n = candidateNCpuMoe(b);
  const ngl = b.gpuLayers <= req.model.layers ? ` with n_gpu_layers ${b.gpuLayers}` : "";
  const text = (n !== null ? `--n-cpu-moe ${n}` : `experts of ${ram.length} layers in RAM (automatic plan)`) + ngl;
  const tps = formatTokPerSec(b.evaluation.speed.tokPerSecEmpty);
  return {
    message: `${reason}. Would fit: ${text} (≤ ${tps}).`,
    suggestions: [{ kind: "auto-plan", nCpuMoe: n, gpuLayers: b.gpuLayers, text }],
  };
}
