/**
 * The context a load gets when the user asks for none: the placement the planner picks at a base
 * context (the trained one, capped at `base`), then the longest context that placement leaves room
 * for, up to the trained context. A machine with memory to spare gets the model's whole context; one
 * without keeps the fast placement and the context that still fits beside it.
 */
import { DEFAULT_PLAN_CONTEXT } from "../contract/model";
import { CONTEXT_PAD, MIN_USEFUL_CONTEXT } from "./constants";
import { planLoad } from "./plan";
import type { LoadPlan, PlanRequest } from "./types";

/** Context used when the GGUF does not say what it was trained on. */
export const UNKNOWN_TRAINED_CONTEXT = 32_768;

const loadable = (plan: LoadPlan): boolean => plan.fits && !plan.swaps;

/**
 * Plans at the largest context that fits without swapping, from `base` (the placement's context) up
 * to the model's trained context. A model that does not fit even at `base` gets the plan at `base`
 * (its refusal says what would fit).
 */
export function planLargestContext(req: Omit<PlanRequest, "context">, base: number): LoadPlan {
  const trained = req.model.trainedContext ?? UNKNOWN_TRAINED_CONTEXT;
  const start = Math.min(trained, base);
  const first = planLoad({ ...req, context: start });
  // Too little memory at the base context: the longest useful context below it that fits, if any.
  if (!loadable(first)) return largestLoadable(req, Math.min(start, MIN_USEFUL_CONTEXT), start - CONTEXT_PAD) ?? first;
  if (first.maxContext <= start) return first;
  const target = Math.min(trained, first.maxContext);
  const wide = planLoad({ ...req, context: target });
  if (loadable(wide)) return wide;
  // The plan at the placement's limit rounded past a margin: the longest context between that fits.
  return largestLoadable(req, start, target - CONTEXT_PAD) ?? first;
}

/** The plan at the largest multiple of CONTEXT_PAD in [lo, hi] that loads without swapping (binary search). */
function largestLoadable(req: Omit<PlanRequest, "context">, lo: number, hi: number): LoadPlan | null {
  let low = Math.max(1, Math.ceil(lo / CONTEXT_PAD));
  let high = Math.floor(hi / CONTEXT_PAD);
  let best: LoadPlan | null = null;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    const plan = planLoad({ ...req, context: mid * CONTEXT_PAD });
    if (loadable(plan)) {
      best = plan;
      low = mid + 1;
    } else high = mid - 1;
  }
  return best;
}

/**
 * The context to reload with when a prompt of `needed` tokens (prompt plus reply room) did not fit:
 * the smallest comfortable size (a power of two from MIN_USEFUL_CONTEXT, or the trained context) at
 * least `needed` that fits, else the largest that fits. Null when even that is no larger than `current`.
 */
export function reloadContext(req: Omit<PlanRequest, "context">, needed: number, current: number): number | null {
  const trained = req.model.trainedContext ?? UNKNOWN_TRAINED_CONTEXT;
  let comfortable = MIN_USEFUL_CONTEXT;
  while (comfortable < needed) comfortable *= 2;
  const wanted = Math.min(trained, comfortable);
  if (wanted >= needed && wanted > current && loadable(planLoad({ ...req, context: wanted }))) return wanted;
  const largest = planLargestContext(req, Math.max(needed, DEFAULT_PLAN_CONTEXT));
  return loadable(largest) && largest.context > current ? largest.context : null;
}
