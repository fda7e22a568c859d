import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corruptCases, writeCorpusBase, type CorruptCase } from "../node/gguf/corrupt-corpus";
import { expectedOutput } from "../node/gguf/m2-test-models";
import { joinText, startEngineHarness } from "../testing/engine-harness";

// The corrupt corpus (node/gguf/corrupt-corpus.ts) against the real engine process: files that aborted it,
// on load or at the first token, before the validator knew them are now typed refusals, and it stays up.

/** Run straight through node-llama-cpp, these kill the process: on load (an assert in load_hparams) or at the first token. */
const ABORTS_LLAMA_CPP = ["block-count-600", "epsilon-nan", "norms-f16", "spm-without-byte-tokens", "embedding-length-1", "m3-indexer-block-size-0", "m3-shared-experts-0"];

/**
 * Loads `path` with node-llama-cpp in a child process, without our validator, and evaluates a few tokens.
 * The script is a file, not `-e`: node-llama-cpp tests its binary in a child that inherits execArgv.
 */
function rawLlamaCpp(path: string): { signal: NodeJS.Signals | null; stdout: string } {
  const script = join(scratch, "raw-llama-cpp.mjs");
  writeFileSync(script, `
    import { getLlama } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "node_modules/node-llama-cpp/dist/index.js")).href)};
    const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
    try {
      const model = await llama.loadModel({ modelPath: process.argv[2] });
      const context = await model.createContext({ contextSize: 512, threads: 1 });
      let n = 0;
      for await (const _ of context.getSequence().evaluate(model.tokenize("Hi", true), { temperature: 0 })) if (++n === 2) break;
      console.log("generated");
    } catch {
      console.log("threw");
    }
    process.exit(0);`);
  const result = spawnSync(process.execPath, [script, path], { encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return { signal: result.signal, stdout: result.stdout };
}

let harness: ReturnType<typeof startEngineHarness>;
let cases: Map<string, CorruptCase>;
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "m2d-corrupt-"));

beforeAll(async () => {
  cases = new Map((await corruptCases()).map((c) => [c.name, c]));
  harness = startEngineHarness();
}, 60_000);

afterAll(async () => {
  await harness.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the engine process and the corrupt corpus", { timeout: 120_000 }, () => {
  it("the corpus is real: without the validator, llama.cpp aborts the process on some of its files", async () => {
    for (const name of ABORTS_LLAMA_CPP) {
      const path = await cases.get(name)!.make(await mkdtemp(join(scratch, "raw-")));
      const result = rawLlamaCpp(path);
      expect(result.stdout, name).toBe("");
      expect(result.signal, name).toBe("SIGABRT");
    }
  });

  it("refuses every file before llama.cpp sees it, without a restart, then loads and runs a valid model", async () => {
    const pid = (await harness.engine.request({ op: "ping" })).pid;
    for (const c of cases.values()) {
      const path = await c.make(scratch);
      const expected = c.reason === "not_found" ? { code: "not_found" } : { code: "model_invalid", details: { reason: c.reason, path } };
      await expect(harness.models.load(path, { gpu: "cpu", contextSize: 1024 }), c.name).rejects.toMatchObject(expected);
      expect((await harness.engine.request({ op: "ping" })).pid, c.name).toBe(pid);
    }
    // m2d inspect goes through the same engine call
    await expect(harness.models.inspect(join(scratch, "sparse-2^29-tokens.gguf"))).rejects.toMatchObject({
      code: "model_invalid",
      details: { reason: "header_too_large" },
    });
    expect(harness.engine.getStatus().restarts).toBe(0);

    await harness.models.load(await writeCorpusBase(scratch), { gpu: "cpu", contextSize: 1024 });
    const events = await harness.generate("after-corpus", { messages: [{ role: "user", content: "Hi" }] });
    expect(events.at(-1)).toEqual({ type: "done", finish_reason: "stop" });
    expect(joinText(events, "content_delta")).toBe(expectedOutput("chat", "turn1").split("</think>\n\n")[1]);
    expect(harness.engine.getStatus().restarts).toBe(0);
  });
});
