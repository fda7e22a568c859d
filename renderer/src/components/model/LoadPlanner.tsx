import { useId } from "react";
import type { LoadPlanView } from "../../../../app/contract";
import { formatInt } from "../../lib/format";
import { MemoryBars } from "./MemoryBars";
import type { PlanChoices } from "./load-choices";

/** A plan that must be confirmed before loading: it does not fit, or RAM would swap. */
export function needsConfirm(plan: LoadPlanView | null): boolean {
  return plan !== null && !plan.hypothetical && (!plan.fits || plan.swaps);
}

interface Props {
  plan: LoadPlanView | null;
  planError: string | null;
  planning: boolean;
  choices: PlanChoices;
  onChoices(choices: PlanChoices): void;
  confirmed: boolean;
  onConfirmed(confirmed: boolean): void;
}

/** The load plan for the picked GGUF: its one line, memory bars, the N slider, advanced overrides, and the swap warning. */
export function LoadPlanner({ plan, planError, planning, choices, onChoices, confirmed, onConfirmed }: Props) {
  const sliderId = useId();
  const patternsId = useId();
  if (!plan) {
    if (planError) return <p className="muted plan-error" data-testid="plan-error">{planError}</p>;
    return planning ? <p className="muted" data-testid="plan-pending">Planning…</p> : null;
  }
  const layers = plan.model.layers;
  const hasGpu = plan.gpus.length > 0;
  const usingPatterns = choices.patterns.trim() !== "";
  const n = choices.cpuMoe ?? plan.nCpuMoe ?? plan.ramExpertLayers;
  return (
    <div className={`load-plan${planning ? " stale" : ""}`} data-testid="load-plan">
      <p className={`plan-line${plan.fits ? "" : " error"}`} data-testid="plan-line">
        {plan.explanation}
      </p>
      <p className="muted plan-context" data-testid="plan-context">
        Context <strong>{formatInt(plan.context)}</strong> tokens
        {plan.fits && plan.maxContext > plan.context ? ` · up to ${formatInt(plan.maxContext)} fit with this placement` : ""}
      </p>
      <MemoryBars plan={plan} />
      <div className="plan-slider">
        <label htmlFor={sliderId}>
          {hasGpu ? (
            <>
              Experts of <strong data-testid="plan-n">{n}</strong> of {layers} layers in RAM
              {usingPatterns ? " (set by the patterns)" : choices.cpuMoe === null ? " (auto)" : ""}
            </>
          ) : (
            `All ${layers} layers on the CPU`
          )}
        </label>
        <input
          id={sliderId}
          type="range"
          min={0}
          max={layers}
          step={1}
          value={n}
          disabled={!hasGpu || usingPatterns}
          onChange={(e) => onChoices({ ...choices, cpuMoe: Number(e.target.value) })}
          data-testid="plan-slider"
        />
        <button type="button" className="link-button" disabled={choices.cpuMoe === null} onClick={() => onChoices({ ...choices, cpuMoe: null })}>
          Auto
        </button>
      </div>
      {!hasGpu && <p className="muted">No GPU on this backend: every layer runs on the CPU, so there is nothing to split. Plan for a GPU machine below.</p>}
      {plan.hypothetical && <p className="notice">Planned for another machine: Load uses this machine&apos;s memory.</p>}
      {hasGpu && !plan.hypothetical && !plan.expertOffload.supported && plan.ramExpertLayers > 0 && (
        <p className="notice" data-testid="plan-unpatched">{plan.expertOffload.message}</p>
      )}
      {plan.refusal && plan.refusal.suggestions.length > 0 && (
        <ul className="plan-suggestions">
          {plan.refusal.suggestions.map((s) => (
            <li key={s.text}>{s.text}</li>
          ))}
        </ul>
      )}
      {plan.warnings.length > 0 && (
        <ul className="plan-warnings muted">
          {plan.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <details className="plan-advanced">
        <summary>Advanced</summary>
        <label htmlFor={patternsId}>Override patterns (llama.cpp -ot: one regex per line, matching tensors stay in RAM)</label>
        <textarea
          id={patternsId}
          rows={2}
          spellCheck={false}
          value={choices.patterns}
          placeholder={String.raw`blk\.(4[0-9]|5[0-9]|6[01])\.ffn_.*_exps=CPU`}
          onChange={(e) => onChoices({ ...choices, patterns: e.target.value })}
          data-testid="plan-patterns"
        />
        <label className="plan-what-if">
          <input
            type="checkbox"
            checked={choices.whatIf !== null}
            onChange={(e) => onChoices({ ...choices, whatIf: e.target.checked ? { vram: "24", ram: "192" } : null })}
            data-testid="plan-what-if"
          />
          Plan for another machine
        </label>
        {choices.whatIf && (
          <div className="row plan-what-if-fields">
            <label>
              GPU GiB
              <input type="number" min={0} step="any" value={choices.whatIf.vram} onChange={(e) => onChoices({ ...choices, whatIf: { ...choices.whatIf!, vram: e.target.value } })} data-testid="plan-what-if-vram" />
            </label>
            <label>
              RAM GiB
              <input type="number" min={0} step="any" value={choices.whatIf.ram} onChange={(e) => onChoices({ ...choices, whatIf: { ...choices.whatIf!, ram: e.target.value } })} data-testid="plan-what-if-ram" />
            </label>
          </div>
        )}
      </details>
      {needsConfirm(plan) && (
        <label className="plan-confirm notice" data-testid="plan-confirm">
          <input type="checkbox" checked={confirmed} onChange={(e) => onConfirmed(e.target.checked)} />
          {plan.fits
            ? "This plan needs more RAM than is free: the system will swap and run very slowly. Load anyway?"
            : "This plan does not fit. Load anyway (it may fail or swap)?"}
        </label>
      )}
    </div>
  );
}
