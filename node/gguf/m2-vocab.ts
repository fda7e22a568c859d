import { BYTE_CHARS, gpt2TokenText } from "./gpt2-bytes";
import { kv, type GgufKv } from "./gguf-values";

/** llama_token_type values stored in tokenizer.ggml.token_type. */
export const TokenType = { NORMAL: 1, CONTROL: 3, USER_DEFINED: 4 } as const;

export const M2_CONTROL_TOKENS = ["]~!b[", "]~b]", "[e~["] as const;
export const M2_USER_TOKENS = [
  "<think>",
  "</think>",
  "<minimax:tool_call>",
  "</minimax:tool_call>",
  "<response>",
  "</response>",
] as const;

/** A family's special tokens: CONTROL ones (BOS first, EOS among them) and USER_DEFINED ones. */
export interface SpecialTokens {
  readonly control: readonly string[];
  readonly user: readonly string[];
  readonly bos: string;
  readonly eos: string;
}

export const M2_SPECIALS: SpecialTokens = { control: M2_CONTROL_TOKENS, user: M2_USER_TOKENS, bos: "]~!b[", eos: "[e~[" };

export interface ScriptedVocab {
  readonly tokens: readonly string[];
  readonly types: readonly number[];
  readonly bos: number;
  readonly eos: number;
  readonly idOf: (special: string) => number;
  /** Token id of each script segment, by segment text. */
  readonly segmentIds: ReadonlyMap<string, number>;
}

/**
 * 256 byte tokens (id = byte), the family's specials (M2's by default), then one
 * NORMAL token per segment. No merges: the prompt tokenizes to bytes and specials,
 * and only the model ever produces segment tokens.
 */
export function buildScriptedVocab(segments: readonly string[], specials: SpecialTokens = M2_SPECIALS): ScriptedVocab {
  const tokens = [...BYTE_CHARS];
  const types: number[] = tokens.map(() => TokenType.NORMAL);
  for (const t of specials.control) { tokens.push(t); types.push(TokenType.CONTROL); }
  for (const t of specials.user) { tokens.push(t); types.push(TokenType.USER_DEFINED); }
  const specialIds = new Map<string, number>(tokens.map((t, i) => [t, i] as const).filter(([, i]) => i >= 256));
  const segmentIds = new Map<string, number>();
  const taken = new Set(tokens);
  for (const s of segments) {
    const text = gpt2TokenText(s);
    if (taken.has(text)) throw new Error(`segment ${JSON.stringify(s)} is not unique`);
    segmentIds.set(s, tokens.length);
    taken.add(text);
    tokens.push(text);
    types.push(TokenType.NORMAL);
  }
  const idOf = (special: string) => {
    const id = specialIds.get(special);
    if (id === undefined) throw new Error(`no special token ${special}`);
    return id;
  };
  return { tokens, types, bos: idOf(specials.bos), eos: idOf(specials.eos), idOf, segmentIds };
}

/** tokenizer.* metadata for a GPT-2 style BPE vocab with MiniMax-M2's pre-tokenizer. */
export function tokenizerMetadata(vocab: Pick<ScriptedVocab, "tokens" | "types" | "bos" | "eos">, chatTemplate: string): GgufKv[] {
  return [
    kv.str("tokenizer.ggml.model", "gpt2"),
    kv.str("tokenizer.ggml.pre", "minimax-m2"),
    kv.strArr("tokenizer.ggml.tokens", vocab.tokens),
    kv.i32Arr("tokenizer.ggml.token_type", vocab.types),
    // llama.cpp requires the key; no merges keeps every prompt byte a token of its own
    kv.strArr("tokenizer.ggml.merges", []),
    kv.u32("tokenizer.ggml.bos_token_id", vocab.bos),
    kv.u32("tokenizer.ggml.eos_token_id", vocab.eos),
    // the template writes ]~!b[ itself
    kv.bool("tokenizer.ggml.add_bos_token", false),
    kv.str("tokenizer.chat_template", chatTemplate),
  ];
}
