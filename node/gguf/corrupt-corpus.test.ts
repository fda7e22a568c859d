import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, describeModelError, MODEL_INVALID_LABEL } from "../../app/contract";
import { corruptCases, writeCorpusBase, writeM3CorpusBase, type CorruptCase } from "./corrupt-corpus";
import { modelInvalidReason } from "./model-invalid";
import { inspectModel } from "./report";
import { validateModel } from "./validate";

// The corpus of malformed GGUFs that once passed validation and then aborted llama.cpp or V8 (issue 14).

let dir: string;
let cases: CorruptCase[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-corpus-"));
  cases = await corruptCases();
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function refusal(path: string): Promise<AppError> {
  try {
    await inspectModel(path);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${path} passed validation`);
}

describe("the corrupt GGUF corpus", { timeout: 60_000 }, () => {
  it("starts from a base that validates", async () => {
    const model = await validateModel(await writeCorpusBase(dir));
    expect(model.architecture).toBe("minimax-m2");
  });

  it("starts its minimax-m3 cases from a base that validates", async () => {
    const model = await validateModel(await writeM3CorpusBase(dir));
    expect(model.architecture).toBe("minimax-m3");
  });

  it("refuses every case with its typed reason and a message naming the fault", async () => {
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const c of cases) {
      const path = await c.make(dir);
      const error = await refusal(path);
      want[c.name] = c.reason;
      got[c.name] = c.reason === "not_found" ? error.code : (modelInvalidReason(error) ?? `${error.code}: ${error.message}`);
      expect(error.message, c.name).toContain(path);
      if (c.reason !== "not_found") {
        expect(error.details, c.name).toMatchObject({ path, reason: c.reason });
        expect(describeModelError(error), c.name).toBe(`${MODEL_INVALID_LABEL[c.reason]}: ${error.message}`);
      }
    }
    expect(got).toEqual(want);
  });

  it("names the key or tensor at fault", async () => {
    const byName = new Map(cases.map((c) => [c.name, c]));
    const detailsOf = async (name: string) => (await refusal(await byName.get(name)!.make(await mkdtemp(join(dir, "named-"))))).details;
    expect(await detailsOf("block-count-600")).toMatchObject({ key: "minimax-m2.block_count", value: 600 });
    expect(await detailsOf("rope-dims-100000")).toMatchObject({ key: "minimax-m2.rope.dimension_count", value: 100_000 });
    expect(await detailsOf("vocab-duplicated")).toMatchObject({ key: "tokenizer.ggml.tokens", token: 301 });
    expect(await detailsOf("norms-f16")).toMatchObject({ tensor: "output_norm.weight", type: "F16" });
    expect(await detailsOf("f32-matrix-retyped-i32")).toMatchObject({ tensor: "blk.1.attn_q.weight", type: "I32" });
    expect(await detailsOf("m3-indexer-heads-not-kv-heads")).toMatchObject({ key: "minimax-m3.attention.indexer.head_count", value: 2 });
    expect(await detailsOf("m3-indexer-block-size-0")).toMatchObject({ key: "minimax-m3.attention.indexer.block_size", value: 0 });
    expect(await detailsOf("m3-dense-blocks-0")).toMatchObject({ tensor: "blk.0.ffn_gate_inp.weight" });
    expect(await detailsOf("m3-shared-experts-2")).toMatchObject({ tensor: "blk.1.ffn_gate_shexp.weight", expected: [expect.any(Number), 64] });
  });
});
