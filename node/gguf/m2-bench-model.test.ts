import { getLlama } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { BENCH_HPARAMS } from "./m2-bench-model";
import { ensureTestModel } from "./m2-test-models";
import { inspectModel } from "./report";

describe("bench model", () => {
  it("has M2's structure at small scale, loads and generates in node-llama-cpp", async () => {
    const path = await ensureTestModel("bench");
    const report = await inspectModel(path);
    expect(report).toMatchObject({
      architecture: "minimax-m2",
      quantization: { name: "Q8_0" },
      layerCount: BENCH_HPARAMS.nLayer,
      embeddingLength: 1024,
      expertCount: 32,
      expertUsedCount: 8,
    });
    expect(report.tensors.find((t) => t.name === "blk.7.ffn_down_exps.weight")).toMatchObject({ type: "Q8_0", shape: [512, 1024, 32], isExpert: true });

    const llama = await getLlama({ gpu: false });
    const model = await llama.loadModel({ modelPath: path });
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const prompt = model.tokenize("]~!b[]~b]user\nBenchmark me.[e~[\n]~b]ai\n<think>\n", true);
      const out = [];
      for await (const token of context.getSequence().evaluate(prompt, { temperature: 0 })) {
        out.push(token);
        if (out.length === 16) break;
      }
      // the EOS row of output.weight is zero, so greedy decoding always runs the full 16
      expect(out).toHaveLength(16);
    } finally {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    }
  }, 180_000);
});
