import { AppError, type ScoreRequest, type ScoreResult } from "../../../app/contract";
import type { VerifierScore } from "../../../app/contract/attempts-api";

/** The question the verifier prompt ends with; the engine reads the answer's first-token probabilities. */
export const VERIFIER_QUESTION = "Does this patch correctly solve the task? Answer YES or NO.";

const SYSTEM = [
  "You are an expert software engineer reviewing a patch written by an AI coding agent.",
  "You see the task, a summary of the agent's work (its reasoning, tool calls and their results) and the patch itself.",
  "Judge whether the patch correctly and completely solves the task without breaking anything or gaming the tests.",
  "Answer with YES or NO only.",
].join(" ");

/** Tokens kept free beside the verifier prompt: the template's own text and the answer. */
const RESERVED_TOKENS = 256;
/** A first guess at characters per token; an overflow retries with the engine's own count. */
const CHARS_PER_TOKEN = 3;

export interface VerifierInput {
  task: string;
  diff: string;
  trajectory: string;
}

const cutEnd = (text: string, max: number) => (text.length > max ? `${text.slice(0, Math.max(0, max))}\n… (cut: ${text.length - max} more characters)` : text);
const cutStart = (text: string, max: number) => (text.length > max ? `(cut: ${text.length - max} earlier characters) …\n${text.slice(text.length - Math.max(0, max))}` : text);

/**
 * R2E-Gym's execution-free verifier prompt (arXiv 2504.07164): the task, the trajectory and the diff, ending with a
 * YES/NO question. `budgetChars` bounds the three parts together: the diff gets half, the task a quarter, the
 * trajectory the rest (its last steps are kept; the task's and the diff's beginnings are).
 */
export function verifierMessages(input: VerifierInput, budgetChars: number): ScoreRequest["messages"] {
  const budget = Math.max(600, Math.floor(budgetChars));
  const task = cutEnd(input.task, Math.floor(budget / 4));
  const diff = cutEnd(input.diff.trim() === "" ? "(the patch is empty: the agent changed no file)" : input.diff, Math.floor(budget / 2));
  const trajectory = cutStart(input.trajectory.trim() === "" ? "(no steps recorded)" : input.trajectory, budget - task.length - diff.length);
  const user = ["<task>", task, "</task>", "", "<agent_trajectory>", trajectory, "</agent_trajectory>", "", "<patch>", diff, "</patch>", "", VERIFIER_QUESTION].join("\n");
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: user },
  ];
}

export interface VerifierEngine {
  score(request: ScoreRequest, signal?: AbortSignal): Promise<ScoreResult>;
  /** The loaded model's context, to size the prompt; null before a load (the score then loads or refuses). */
  contextSize(): number | null;
}

/**
 * The attempts' execution-free verifier: the model's p(YES) for one attempt. The prompt is sized to the loaded
 * context; when the engine still finds it too long it is cut once more to the engine's own token count.
 */
export async function scoreAttempt(engine: VerifierEngine, input: VerifierInput, signal?: AbortSignal): Promise<VerifierScore> {
  const context = engine.contextSize() ?? 8192;
  let budget = (context - RESERVED_TOKENS) * CHARS_PER_TOKEN;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await engine.score({ messages: verifierMessages(input, budget) }, signal);
      return { score: result.score, pYes: result.pYes, pNo: result.pNo, promptTokens: result.promptTokens };
    } catch (error) {
      const failure = AppError.from(error);
      const details = failure.details as { promptTokens?: number; contextSize?: number } | undefined;
      if (failure.code !== "context_overflow" || attempt > 0 || !details?.promptTokens || !details.contextSize) throw failure;
      // The engine counted the tokens: shrink in proportion, with room to spare.
      budget = Math.floor((budget * (details.contextSize - RESERVED_TOKENS)) / details.promptTokens) - 200;
    }
  }
}
