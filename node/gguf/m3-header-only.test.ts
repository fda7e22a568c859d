import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { m3Model } from "../../app/planner/m3-shapes";
import { writeM3HeaderOnly } from "./m3-header-only";
import { plannerModel } from "./planner-model";
import { inspectModel } from "./report";

const dir = mkdtempSync(join(tmpdir(), "m3-header-"));
const q4 = join(dir, "MiniMax-M3-Q4_K_M.gguf");

beforeAll(() => writeM3HeaderOnly(q4, "Q4_K_M"), 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a header-only MiniMax-M3 Q4_K_M", { timeout: 120_000 }, () => {
  it("has the full apparent size and passes the validator as minimax-m3", async () => {
    expect(statSync(q4).size).toBeGreaterThan(250e9);
    const report = await inspectModel(q4);
    expect(report).toMatchObject({
      architecture: "minimax-m3",
      isTarget: false,
      quantization: { name: "Q4_K_M", guessed: false },
      layerCount: 60,
      expertCount: 128,
      expertUsedCount: 4,
      headCount: 64,
      headCountKv: 4,
      vocabSize: 200_064,
      sparseAttention: { denseBlocks: 3, indexerHeads: 4, indexerKeyLength: 128, topK: 16, blockSize: 128 },
    });
    expect(report.tensors.filter((t) => t.isExpert)).toHaveLength(57 * 3);
  });

  it("gives the planner the same model from its header as the app's M3 table: tensors, sizes and MSA KV cache", async () => {
    const fromFile = plannerModel(await inspectModel(q4));
    const fromTable = m3Model("Q4_K_M");
    expect(fromFile.kvCache).toEqual(fromTable.kvCache);
    expect(fromFile.tensors.map((t) => [t.name, t.bytes, t.isExpert])).toEqual(fromTable.tensors.map((t) => [t.name, t.bytes, t.isExpert]));
    expect(fromFile).toMatchObject({ layers: 60, expertCount: 128, expertsUsed: 4, heads: 64, vocab: 200_064, trainedContext: 1_048_576 });
  });
});
