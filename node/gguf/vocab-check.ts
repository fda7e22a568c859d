import type { GgufMetadata, GgufValue } from "./gguf-values";
import { modelInvalid } from "./model-invalid";

const TOKENS = "tokenizer.ggml.tokens";
const SCORES = "tokenizer.ggml.scores";
const TOKEN_TYPES = "tokenizer.ggml.token_type";
const MERGES = "tokenizer.ggml.merges";
const MODEL = "tokenizer.ggml.model";

function describe(v: GgufValue): string {
  return v.type === "array" ? `an array of ${v.itemType}` : `a ${v.type}`;
}

/**
 * A SentencePiece vocabulary falls back to byte tokens for any text it has no
 * piece for, and llama.cpp looks them up with map::at: a missing one throws
 * std::out_of_range through the tokenizer, which terminates the process.
 */
function checkSpmBytes(tokens: ReadonlyMap<string, number>, fail: (key: string, why: string) => never): void {
  for (let byte = 0; byte < 256; byte++) {
    const hex = `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
    if (tokens.has(hex) || (byte < 0x80 && tokens.has(String.fromCharCode(byte)))) continue;
    fail(TOKENS, `has no byte token ${hex}: a SentencePiece (llama) vocabulary needs all 256`);
  }
}

/**
 * What llama-vocab.cpp's load needs of the tokenizer arrays; returns the vocabulary size. It asserts that
 * every token text is unique (an empty one counts as "[EMPTY_<id>]"), and an
 * empty vocabulary aborts at the first tokenize; the rest it throws on, which
 * is refused here too so the reason is typed.
 */
export function checkVocab(path: string, meta: GgufMetadata): number {
  const fail = (key: string, why: string, extra: Record<string, unknown> = {}): never => {
    throw modelInvalid(path, "vocab_invalid", `${path}: ${key} ${why}`, { key, ...extra });
  };
  const model = meta.get(MODEL);
  if (model === undefined) return fail(MODEL, "is missing: llama.cpp needs the tokenizer type");
  if (model.type !== "str") return fail(MODEL, `is ${describe(model)}, not a string`);
  if (model.value === "none" || model.value === "no_vocab") return 0; // no tokenizer by design

  const tokens = meta.get(TOKENS);
  if (tokens === undefined) return fail(TOKENS, "is missing");
  if (tokens.type !== "array" || tokens.itemType !== "str") return fail(TOKENS, `is ${describe(tokens)}, not an array of strings`);
  const n = tokens.values.length;
  if (n === 0) fail(TOKENS, "is empty: a model needs at least one token");

  const seen = new Map<string, number>();
  // Tokens that are not valid UTF-8 are compared by their bytes, apart: they can equal no valid token.
  const seenRaw = new Map<string, number>();
  tokens.values.forEach((text, id) => {
    const raw = tokens.rawBytes?.get(id);
    const word = raw ?? (text === "" ? `[EMPTY_${id}]` : text);
    const map = raw === undefined ? seen : seenRaw;
    const first = map.get(word);
    if (first !== undefined) fail(TOKENS, `lists ${JSON.stringify(text)} twice (tokens ${first} and ${id})`, { token: id });
    map.set(word, id);
  });

  if (model.value === "llama") checkSpmBytes(seen, fail);

  const scores = meta.get(SCORES);
  if (scores !== undefined) {
    if (scores.type !== "array" || (scores.itemType !== "f32" && scores.itemType !== "i32")) fail(SCORES, `is ${describe(scores)}, not an array of f32 or i32`);
    else if (scores.values.length < n) fail(SCORES, `has ${scores.values.length} entries for ${n} tokens`);
  }
  const types = meta.get(TOKEN_TYPES);
  if (types !== undefined) {
    if (types.type !== "array" || types.itemType !== "i32") fail(TOKEN_TYPES, `is ${describe(types)}, not an array of i32`);
    else if (types.values.length < n) fail(TOKEN_TYPES, `has ${types.values.length} entries for ${n} tokens`);
  }
  const merges = meta.get(MERGES);
  if (merges !== undefined && (merges.type !== "array" || merges.itemType !== "str")) fail(MERGES, `is ${describe(merges)}, not an array of strings`);
  return n;
}
