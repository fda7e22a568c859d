import type { M2StreamParser, M2StreamParserOptions } from "../m2/parser";
import type { PromptRequest } from "../m2/types";

/** Every model family the app tells apart; "unknown" is any other GGUF (its own template, plain output). */
export const MODEL_FAMILY_IDS = [
  "minimax-m2",
  "minimax-m2.1",
  "minimax-m2.5",
  "minimax-m2.7",
  "minimax-m3",
  "minimax-m3.1",
  "unknown",
] as const;
export type ModelFamilyId = (typeof MODEL_FAMILY_IDS)[number];

/** How hard the model thinks (M3's chat setting); families without the switch ignore it. */
export const THINKING_MODES = ["enabled", "adaptive", "disabled"] as const;
export type ThinkingMode = (typeof THINKING_MODES)[number];

/** Per-request choices a protocol may honour beyond the conversation itself. */
export interface RenderOptions {
  thinking?: ThinkingMode;
}

/**
 * One protocol family: how a conversation becomes prompt text and how the model's
 * streamed text becomes the app's parse events (app/m2/parser-events.ts).
 * An implementation is pure (no I/O) and stateless; each generation gets its own parser.
 */
export interface ModelProtocol {
  /**
   * The prompt, byte-identical to the family's official chat template rendered by
   * transformers (jinja2). Throws AppError("bad_request") for a conversation the template refuses.
   */
  renderPrompt(request: PromptRequest, options?: RenderOptions): string;
  /**
   * A fresh parser for one generation, given the RenderOptions the prompt was rendered with
   * (M3's prefill depends on `thinking`). The model's first token follows the generation
   * prefill, so the parser starts in the state that prefill leaves it in.
   */
  createParser(options?: M2StreamParserOptions & RenderOptions): M2StreamParser;
  /** What renderPrompt's generation prompt ends with after the assistant header, for default RenderOptions (M2: "<think>\n"). */
  readonly generationPrefill: string;
  /**
   * Model output that takes a fresh parser from the generation prefill (for `options`) past the end of the
   * reasoning, into the answer: a continued answer whose thinking had ended primes its parser with it.
   */
  answerPrimer(options?: RenderOptions): string;
  /** Text that ends generation besides the model's end-of-generation token. */
  readonly stopStrings: readonly string[];
  /**
   * Which earlier assistant reasoning the template keeps, so agent loops send it back:
   * "after-last-user" (M2: the turns of the current tool loop), "all", or "none".
   */
  readonly reasoningInHistory: "after-last-user" | "all" | "none";
  /**
   * The thinking modes the family's template switches between (RenderOptions.thinking), offered as a
   * chat setting, and the one it uses when none is chosen. Absent: the family has no switch.
   */
  readonly thinking?: { readonly modes: readonly ThinkingMode[]; readonly defaultMode: ThinkingMode };
  /**
   * How a tool call is forced (GenerationRequest.toolChoice): generation pauses where the model writes
   * `reasoningEnd`, and `opener(name)` follows it (the call's opening, naming the tool when one is given).
   * Absent: this family cannot be forced.
   */
  readonly toolCallOpener?: { readonly reasoningEnd: string; opener(name?: string): string };
  /**
   * This protocol as it renders `embedded`, a GGUF's template, when that is a revision of the family's
   * `reference` template (ModelFamily.templateFile) it reproduces exactly; undefined for any other text.
   * Absent: only the reference itself counts (app/family/template.ts).
   */
  forTemplate?(embedded: string, reference: string): ModelProtocol | undefined;
}

/** Sampling MiniMax recommends for the model (data, see registry.ts). */
export interface SamplingDefaults {
  temperature: number;
  topP: number;
  topK: number;
}

/** How a family is recognised in a GGUF; detect.ts applies these rules. */
export interface FamilyMatch {
  /** general.architecture values the family runs on. */
  architectures: readonly string[];
  /** Matches general.name (or the file name) of this model only, e.g. /minimax[-_ ]?m2\.5/i. */
  name: RegExp;
  /** Text only this family's official template contains (its default system prompt, a special token). */
  templateMarker?: string;
  /** The family assumed for its architecture when neither name nor template tells. */
  architectureDefault?: boolean;
}

export interface ModelFamily {
  id: Exclude<ModelFamilyId, "unknown">;
  /** For people: "MiniMax-M2.5". */
  displayName: string;
  match: FamilyMatch;
  /**
   * The family's reference chat template as shipped in resources/ (a path under it, e.g.
   * "minimax-m2.jinja"). The engine renders with `protocol` only for a GGUF whose embedded
   * template is it or a revision of it the protocol knows (`ModelProtocol.forTemplate`); any
   * other embedded template is rendered as is.
   */
  templateFile?: string;
  protocol: ModelProtocol;
  sampling: SamplingDefaults;
}
