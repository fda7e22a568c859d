import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LlamaLogLevel } from "node-llama-cpp";
import { corruptCases } from "../../node/gguf/corrupt-corpus";
import { closeBackend, llamaLogForwarder, openBackend } from "./backend";

const scratch = mkdtempSync(join(tmpdir(), "m2d-llama-log-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("llama.cpp's log lines", () => {
  it("reach the engine's log from real llama.cpp, tagged, when it refuses a file (here: straight to llama.cpp, no validator)", async () => {
    const missingTensor = (await corruptCases()).find((c) => c.name === "tensor-missing")!;
    const path = await missingTensor.make(scratch);
    const lines: Array<{ level: string; message: string }> = [];
    const llama = await openBackend({ gpu: false, logger: llamaLogForwarder((level, message) => lines.push({ level, message })) });
    try {
      await expect(llama.loadModel({ modelPath: path })).rejects.toThrow();
    } finally {
      await closeBackend(llama);
    }
    expect(lines).toContainEqual({ level: "error", message: "llama.cpp: llama_model_load: error loading model: missing tensor 'blk.1.ffn_norm.weight'" });
    expect(lines.every((l) => l.message.startsWith("llama.cpp: ") && !l.message.endsWith("\n"))).toBe(true);
  }, 60_000);

  it("keeps warnings and errors only, and drops blank fragments", () => {
    const lines: string[] = [];
    const forward = llamaLogForwarder((level, message) => lines.push(`${level} ${message}`));
    forward(LlamaLogLevel.fatal, "GGML_ASSERT failed\n");
    forward(LlamaLogLevel.warn, "n_ctx_seq < n_ctx_train\n");
    forward(LlamaLogLevel.info, "load_tensors: CPU model buffer size\n");
    forward(LlamaLogLevel.debug, "token 42\n");
    forward(LlamaLogLevel.error, "\n");
    expect(lines).toEqual(["error llama.cpp: GGML_ASSERT failed", "warn llama.cpp: n_ctx_seq < n_ctx_train"]);
  });
});
