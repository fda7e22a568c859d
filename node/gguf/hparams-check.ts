import type { GgufMetadata } from "./gguf-values";
import { M3_ARCH } from "./m3-arch";
import { modelInvalid } from "./model-invalid";

/** src/llama-hparams.h of the bundled llama.cpp: beyond these, load_hparams GGML_ASSERTs (aborts the process). */
export const LLAMA_MAX_LAYERS = 512;
export const LLAMA_MAX_EXPERTS = 1024;
/** llama_expert_gating_func_type: build_moe_ffn aborts on NONE (0) and on anything past SQRT_SOFTPLUS (4). */
const GATING_FUNCS = new Set([1, 2, 3, 4]);

/** llama_rope_scaling_type names: load_hparams asserts the stored one is among them. */
const ROPE_SCALING_TYPES = new Set(["none", "linear", "yarn", "longrope"]);

/**
 * Architectures checked against their own loader too: every layer is attention plus a routed MoE whose
 * gating function comes from the file, with equal key and value head sizes (models/minimax-m2.cpp).
 */
const ATTENTION_MOE_ARCHS = new Set(["minimax-m2", M3_ARCH]);

type Value = number | undefined;

/** The sizes llama.cpp's tensor loader builds shapes from (LLAMA_LOAD_LOCALS: layer 0's value of per-layer keys). */
export interface ModelDims {
  /** Layers with weights: block_count less the next-token-prediction layers. */
  readonly nLayer: number;
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly keyLength: number;
  readonly valueLength: number;
  readonly nExpert: number;
  readonly nFf: number;
  /** minimax-m3 only: what its loader reads on top (models/minimax-m3.cpp load_arch_hparams). */
  readonly m3?: M3Dims;
}

export interface M3Dims {
  /** leading_dense_block_count: blocks below it are dense, the rest MoE with MSA. */
  readonly nDenseLead: number;
  readonly nExpertShared: number;
  readonly nFfExp: number;
  readonly indexerHeads: number;
  readonly indexerKeyLength: number;
}

/**
 * Reads `<arch>.<name>` keys and refuses the values llama.cpp would abort on.
 * Every failure is AppError("model_invalid", …, {reason: "hparams_invalid", key, value}).
 */
class Hparams {
  constructor(
    private readonly path: string,
    private readonly meta: GgufMetadata,
    private readonly arch: string,
  ) {}

  fail(name: string, value: unknown, why: string): never {
    const key = `${this.arch}.${name}`;
    const shown = typeof value === "number" || typeof value === "string" ? value : JSON.stringify(value);
    throw modelInvalid(this.path, "hparams_invalid", `${this.path}: ${key} is ${shown}; ${why}`, { key, value: shown ?? null });
  }

  /** All numeric values of a key (one for a scalar, one per layer for an array); undefined when absent. */
  private values(name: string): number[] | undefined {
    const v = this.meta.get(`${this.arch}.${name}`);
    if (v === undefined) return undefined;
    if (v.type === "str" || v.type === "bool" || (v.type === "array" && (v.itemType === "str" || v.itemType === "bool"))) {
      this.fail(name, v.type === "array" ? `an array of ${v.itemType}` : `a ${v.type}`, "it must be a number");
    }
    return v.type === "array" ? v.values.map(Number) : [Number(v.value)];
  }

  scalar(name: string, required = false): Value {
    const vs = this.values(name);
    if (vs === undefined) {
      if (required) this.fail(name, "missing", "llama.cpp requires it");
      return undefined;
    }
    if (vs.length !== 1 || this.meta.get(`${this.arch}.${name}`)?.type === "array") this.fail(name, "an array", "it must be a single number");
    return vs[0];
  }

  /** A key llama.cpp reads with get_key_or_arr: a scalar, or an array of exactly one value per layer. */
  perLayer(name: string, nLayer: number, required = false): number[] | undefined {
    const vs = this.values(name);
    if (vs === undefined) {
      if (required) this.fail(name, "missing", "llama.cpp requires it");
      return undefined;
    }
    const isArray = this.meta.get(`${this.arch}.${name}`)?.type === "array";
    if (isArray && vs.length !== nLayer) this.fail(name, `an array of ${vs.length}`, `it needs one value per layer (${nLayer})`);
    return vs;
  }

  /** Layer 0's value; with `uniform`, every layer must agree (the loader sizes all layers from layer 0). */
  first(name: string, values: readonly number[], uniform: boolean): number {
    const [v0 = 0] = values;
    if (uniform && values.some((v) => v !== v0)) this.fail(name, values, "this architecture needs the same value for every layer");
    return v0;
  }

  integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      this.fail(name, value, `it must be a whole number ${range}`);
    }
    return value;
  }

  /** A string key, when present, must be one of `allowed`. */
  oneOf(name: string, allowed: ReadonlySet<string>): void {
    const v = this.meta.get(`${this.arch}.${name}`);
    if (v === undefined) return;
    if (v.type !== "str" || !allowed.has(v.value)) {
      this.fail(name, v.type === "str" ? JSON.stringify(v.value) : `a ${v.type}`, `it must be one of ${[...allowed].join(", ")}`);
    }
  }

  epsilon(name: string, required: boolean): void {
    const eps = this.scalar(name, required);
    if (eps !== undefined && !(Number.isFinite(eps) && eps > 0)) this.fail(name, eps, "a norm epsilon must be a finite number above 0");
  }
}

function checkExperts(h: Hparams, nLayer: number, moe: boolean): Pick<ModelDims, "nExpert" | "nFf"> {
  const nExpert = h.integer("expert_count", h.scalar("expert_count") ?? 0, moe ? 1 : 0, LLAMA_MAX_EXPERTS);
  const used = (h.perLayer("expert_used_count", nLayer) ?? [0]).map((v) => h.integer("expert_used_count", v, 0));
  const usedMax = Math.max(...used);
  if (usedMax > nExpert) h.fail("expert_used_count", usedMax, `more experts used per token than the ${nExpert} that exist`);
  if (nExpert > 0 && Math.min(...used) === 0) h.fail("expert_used_count", 0, `a model with ${nExpert} experts must use at least one per token`);
  const groups = h.integer("expert_group_count", h.scalar("expert_group_count") ?? 0, 0);
  const groupUsed = h.integer("expert_group_used_count", h.scalar("expert_group_used_count") ?? 0, 0);
  if (nExpert === 0) {
    if (groups !== 0) h.fail("expert_group_count", groups, "a model without experts has no expert groups");
    return { nExpert, nFf: h.first("feed_forward_length", h.perLayer("feed_forward_length", nLayer) ?? [0], false) };
  }
  if (groups >= nExpert) h.fail("expert_group_count", groups, `it must be below the expert count (${nExpert})`);
  if (groups > 1) {
    if (nExpert % groups !== 0) h.fail("expert_group_count", groups, `it must divide the expert count (${nExpert})`);
    if (groupUsed < 1 || groupUsed >= groups) h.fail("expert_group_used_count", groupUsed, `it must be from 1 to ${groups - 1}`);
  }
  const gating = h.scalar("expert_gating_func", moe);
  if (gating !== undefined && !GATING_FUNCS.has(gating)) h.fail("expert_gating_func", gating, "it must be 1 (softmax), 2 (sigmoid), 3 or 4");
  if (moe) {
    // minimax-m2 sizes its expert tensors from feed_forward_length (optional to llama.cpp, default 0):
    // a zero dimension there is a GGML_ASSERT in the tensor loader
    for (const name of ["expert_feed_forward_length", "feed_forward_length"]) {
      h.first(name, (h.perLayer(name, nLayer, true) ?? []).map((ff) => h.integer(name, ff, 1)), true);
    }
  }
  return { nExpert, nFf: h.first("feed_forward_length", h.perLayer("feed_forward_length", nLayer) ?? [0], false) };
}

type AttentionDims = Pick<ModelDims, "nHead" | "nHeadKv" | "keyLength" | "valueLength">;

function checkAttention(h: Hparams, nLayer: number, nEmbd: number, attention: boolean): AttentionDims {
  const heads = (h.perLayer("attention.head_count", nLayer) ?? [0]).map((v) => h.integer("attention.head_count", v, attention ? 1 : 0));
  const nHead = h.first("attention.head_count", heads, attention);
  // not a transformer (mamba, rwkv): llama.cpp skips the head sizes too
  if (nHead === 0) return { nHead: 0, nHeadKv: 0, keyLength: 0, valueLength: 0 };
  const kvHeads = (h.perLayer("attention.head_count_kv", nLayer) ?? heads).map((v) => h.integer("attention.head_count_kv", v, attention ? 1 : 0));
  const nHeadKv = h.first("attention.head_count_kv", kvHeads, attention);
  kvHeads.forEach((kv, i) => {
    const q = heads.length === 1 ? nHead : (heads[i] ?? nHead);
    // grouped-query attention broadcasts KV heads over query heads: ggml asserts they divide
    if (kv > 0 && q % kv !== 0) h.fail("attention.head_count_kv", kv, `it must divide the query head count (${q})`);
  });
  const keyLength = h.integer("attention.key_length", h.scalar("attention.key_length") ?? Math.floor(nEmbd / nHead), 1);
  const valueLength = h.integer("attention.value_length", h.scalar("attention.value_length") ?? Math.floor(nEmbd / nHead), 1);
  // rope rotates the first n_rot dims of each key head: ggml asserts n_rot is even and within the head,
  // and an explicit 0 crashed the engine at the first token
  const nRot = h.scalar("rope.dimension_count") ?? keyLength;
  if (!Number.isInteger(nRot) || nRot < 2 || nRot > keyLength || nRot % 2 !== 0) {
    h.fail("rope.dimension_count", nRot, `it must be an even number from 2 to the key length (${keyLength})`);
  }
  if (attention && valueLength !== keyLength) {
    h.fail("attention.value_length", valueLength, `this architecture needs it equal to the key length (${keyLength})`);
  }
  return { nHead, nHeadKv, keyLength, valueLength };
}

/**
 * minimax-m3's own keys: the loader requires the shared-expert count and all five MSA indexer keys
 * (it asserts block_size > 0), and the MSA graph asserts one indexer head per KV head, ropes the
 * first n_rot dims of each indexer head and always adds the shared expert.
 */
function checkM3(h: Hparams, nLayer: number, attention: AttentionDims): M3Dims {
  const nDenseLead = h.integer("leading_dense_block_count", h.scalar("leading_dense_block_count") ?? 0, 0, nLayer);
  const nExpertShared = h.integer("expert_shared_count", h.scalar("expert_shared_count", true) ?? 0, 1);
  const nFfExp = h.first("expert_feed_forward_length", h.perLayer("expert_feed_forward_length", nLayer, true) ?? [], true);
  const scale = h.scalar("expert_weights_scale");
  if (scale !== undefined && !Number.isFinite(scale)) h.fail("expert_weights_scale", scale, "it must be a finite number");
  const indexer = (name: string, min: number) => h.integer(`attention.indexer.${name}`, h.scalar(`attention.indexer.${name}`, true) ?? 0, min);
  const indexerHeads = indexer("head_count", 1);
  if (indexerHeads !== attention.nHeadKv) {
    h.fail("attention.indexer.head_count", indexerHeads, `sparse attention needs one indexer head per KV head (${attention.nHeadKv})`);
  }
  const indexerKeyLength = indexer("key_length", 1);
  const nRot = h.scalar("rope.dimension_count") ?? attention.keyLength;
  if (indexerKeyLength < nRot) h.fail("attention.indexer.key_length", indexerKeyLength, `the indexer heads are roped over ${nRot} dims, so it must be at least that`);
  indexer("top_k", 1);
  indexer("block_size", 1);
  indexer("local_blocks", 0);
  return { nDenseLead, nExpertShared, nFfExp, indexerHeads, indexerKeyLength };
}

/**
 * The hyper-parameters llama.cpp's load_hparams and graph builders assert on,
 * checked before it sees the file: an assert there aborts the engine process.
 */
export function checkHparams(path: string, meta: GgufMetadata, arch: string): ModelDims {
  const h = new Hparams(path, meta, arch);
  const strict = ATTENTION_MOE_ARCHS.has(arch);
  const nLayer = h.integer("block_count", h.scalar("block_count", true) ?? 0, 1, LLAMA_MAX_LAYERS);
  const nextn = h.integer("nextn_predict_layers", h.scalar("nextn_predict_layers") ?? 0, 0, nLayer);
  h.integer("context_length", h.scalar("context_length", true) ?? 0, 1);
  const nEmbd = h.integer("embedding_length", h.scalar("embedding_length", true) ?? 0, 1);
  const experts = checkExperts(h, nLayer, strict);
  const attention = checkAttention(h, nLayer, nEmbd, strict);
  h.oneOf("rope.scaling.type", ROPE_SCALING_TYPES);
  h.epsilon("attention.layer_norm_rms_epsilon", strict);
  h.epsilon("attention.layer_norm_epsilon", false);
  const dims = { nLayer: nLayer - nextn, nEmbd, ...experts, ...attention };
  return arch === M3_ARCH ? { ...dims, m3: checkM3(h, nLayer, attention) } : dims;
}
