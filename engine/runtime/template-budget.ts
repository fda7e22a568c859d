/**
 * A time, step and size budget for rendering a GGUF's own chat template. @huggingface/jinja renders
 * synchronously on the engine's main thread with no limit: a template whose loops spin would wedge
 * the engine, and `range(10**9)` would exhaust V8's heap in one call. While a budget is active,
 * every node the interpreter evaluates counts as a step, the clock is read, and each string and list
 * it produces is measured; `range` refuses more items than the budget allows.
 */
import { Environment, Interpreter, type Template } from "@huggingface/jinja";
import { AppError } from "../../app/contract/errors";
import type { TemplateBudgetLimit } from "../../app/contract/engine-faults";

export interface TemplateBudget {
  /** Wall-clock limit for one render; well under the supervisor's heartbeat timeout. */
  readonly timeMs: number;
  /** Interpreter evaluations: deterministic, unlike time. */
  readonly steps: number;
  /** Longest string any expression, block or the prompt may be (characters). */
  readonly chars: number;
  /** Longest list (and `range`) a template may build. */
  readonly items: number;
}

export const DEFAULT_TEMPLATE_BUDGET: TemplateBudget = { timeMs: 5_000, steps: 20_000_000, chars: 16 * 1024 * 1024, items: 1_000_000 };

/** The default budget; M2D_TEMPLATE_BUDGET_MS overrides its time (the watchdog test lets a template outlast the heartbeat). */
export function templateBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): TemplateBudget {
  const timeMs = Number(env.M2D_TEMPLATE_BUDGET_MS);
  return Number.isFinite(timeMs) && timeMs > 0 ? { ...DEFAULT_TEMPLATE_BUDGET, timeMs } : DEFAULT_TEMPLATE_BUDGET;
}

const LIMIT_TEXT: Readonly<Record<TemplateBudgetLimit, (budget: TemplateBudget) => string>> = {
  time: (b) => `ran longer than ${b.timeMs} ms`,
  steps: (b) => `took more than ${b.steps.toLocaleString("en-US")} steps`,
  output: (b) => `built a string longer than ${b.chars.toLocaleString("en-US")} characters`,
  items: (b) => `built a list longer than ${b.items.toLocaleString("en-US")} items`,
};

function overBudget(limit: TemplateBudgetLimit, budget: TemplateBudget): AppError {
  return new AppError("bad_request", `The model's chat template ${LIMIT_TEXT[limit](budget)}; it was stopped (its loops may never end).`, {
    reason: "template_budget",
    limit,
  });
}

interface ActiveBudget {
  readonly budget: TemplateBudget;
  readonly deadline: number;
  steps: number;
}

/** Rendering is synchronous and single-threaded, so one budget is active at a time. */
let active: ActiveBudget | undefined;

interface Measured {
  type?: unknown;
  value?: unknown;
}

function measure(value: Measured, budget: TemplateBudget): void {
  if (value.type === "StringValue" && typeof value.value === "string" && value.value.length > budget.chars) throw overBudget("output", budget);
  if (value.type === "ArrayValue" && Array.isArray(value.value) && value.value.length > budget.items) throw overBudget("items", budget);
}

type Evaluate = (this: Interpreter, statement: unknown, environment: Environment) => Measured;
type SetVariable = (this: Environment, name: string, value: unknown) => unknown;

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const prototype = Interpreter.prototype as unknown as { evaluate: Evaluate };
  const evaluate = prototype.evaluate;
  prototype.evaluate = function (statement, environment) {
    const run = active;
    if (!run) return evaluate.call(this, statement, environment);
    // Every 64 steps: performance.now() on each would cost more than most steps.
    if (++run.steps > run.budget.steps) throw overBudget("steps", run.budget);
    if ((run.steps & 63) === 0 && performance.now() > run.deadline) throw overBudget("time", run.budget);
    const value = evaluate.call(this, statement, environment);
    measure(value, run.budget);
    return value;
  };
  // The library's `range` builds its whole list in one native loop, before any step is counted.
  const environment = Environment.prototype as unknown as { set: SetVariable };
  const set = environment.set;
  environment.set = function (name, value) {
    if (name !== "range" || typeof value !== "function") return set.call(this, name, value);
    const range = value as (start: number, stop?: number, step?: number) => number[];
    return set.call(this, name, (start: number, stop?: number, step = 1) => {
      const [from, to] = stop === undefined ? [0, start] : [start, stop];
      const count = step === 0 ? 0 : Math.ceil((to - from) / step);
      if (active && count > active.budget.items) throw overBudget("items", active.budget);
      return range(start, stop, step);
    });
  };
}

/** `template.render(context)` within `budget`: an AppError with reason `template_budget` when it runs out. */
export function renderWithinBudget(template: Template, context: Record<string, unknown>, budget: TemplateBudget): string {
  install();
  if (active) throw new Error("renderWithinBudget is not re-entrant");
  active = { budget, deadline: performance.now() + budget.timeMs, steps: 0 };
  try {
    const prompt = template.render(context);
    if (prompt.length > budget.chars) throw overBudget("output", budget);
    return prompt;
  } finally {
    active = undefined;
  }
}
